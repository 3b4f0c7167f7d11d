//! What copilots read: their groups with counts, a group's participants (filters,
//! pagination, export), one registration, and figures by territory.

use maud::{Markup, html};

use super::staff_page;
use crate::{
    clock::format_paris,
    db::{
        groups::Group,
        participants::{Filters, Participant},
    },
    domain::{AuthorityKind, RegistrationState, Role},
    staff::StaffMember,
    views::components::state_badge,
};

/// A group on the dashboard, with its counts by state and its latest sign-ups.
pub struct GroupSummary {
    pub group: Group,
    pub counts: Vec<(RegistrationState, i64)>,
    pub latest: Vec<Participant>,
}

pub fn dashboard(
    member: &StaffMember,
    csrf: &str,
    groups: &[GroupSummary],
    waiting_moderation: i64,
) -> Markup {
    staff_page(
        "Tableau de bord",
        member,
        csrf,
        html! {
            h1 { "Tableau de bord" }
            @if member.is_admin() && waiting_moderation > 0 {
                div.fr-alert.fr-alert--info.fr-mb-4w {
                    p { (waiting_moderation) " inscription(s) attendent une décision. " a href="/equipe/moderation" { "Ouvrir la file de modération" } }
                }
            }
            form.fr-mb-4w method="post" action="/equipe/preferences" {
                (crate::views::components::csrf_field(csrf))
                div.fr-checkbox-group {
                    input type="checkbox" id="digest" name="digest" value="oui" checked[member.digest];
                    label.fr-label for="digest" { "Recevoir chaque jour un résumé des nouvelles inscriptions confirmées" }
                }
                button.fr-btn.fr-btn--sm.fr-btn--secondary.fr-mt-1w type="submit" { "Enregistrer ce choix" }
            }
            @if groups.is_empty() {
                p { "Aucun groupe ne vous est attribué pour l’instant : un administrateur peut vous en confier." }
            }
            @for summary in groups {
                section.fr-mb-6w aria-labelledby={ "g-" (summary.group.slug) } {
                    h2 #{ "g-" (summary.group.slug) } { (summary.group.full_title()) }
                    div.fr-table { table {
                        caption { "Inscriptions par état" }
                        thead { tr { @for (state, _) in &summary.counts { th scope="col" { (state.label()) } } } }
                        tbody { tr { @for (_, count) in &summary.counts { td { (count) } } } }
                    } }
                    @if !summary.latest.is_empty() {
                        h3.fr-h6 { "Dernières inscriptions" }
                        ul { @for p in &summary.latest {
                            li { (p.first_name) " " (p.last_name) " — " (p.authority_name) ", le " (format_paris(p.created_at)) }
                        } }
                    }
                    ul.fr-btns-group.fr-btns-group--inline-md {
                        li { a.fr-btn href={ "/equipe/groupes/" (summary.group.slug) } { "Participants" } }
                        li { a.fr-btn.fr-btn--secondary href={ "/equipe/groupes/" (summary.group.slug) "/chiffres" } { "Chiffres par territoire" } }
                    }
                }
            }
        },
    )
}

fn options<'a>(
    name: &'a str,
    label: &'a str,
    selected: &'a str,
    choices: Vec<(&'static str, &'static str)>,
) -> Markup {
    html! {
        div.fr-select-group {
            label.fr-label for=(name) { (label) }
            select.fr-select id=(name) name=(name) {
                option value="" selected[selected.is_empty()] { "Tous" }
                @for (value, text) in choices { option value=(value) selected[selected == value] { (text) } }
            }
        }
    }
}

fn query_string(filters: &Filters, page: u32) -> String {
    let mut filters = filters.clone();
    filters.page = page;
    serde_urlencoded::to_string(&filters).unwrap_or_default()
}

pub fn participants(
    member: &StaffMember,
    csrf: &str,
    group: &Group,
    filters: &Filters,
    rows: &[Participant],
    total: i64,
    page_size: u32,
) -> Markup {
    let page = filters.page.max(1);
    let pages = ((total as u32).div_ceil(page_size)).max(1);
    let base = format!("/equipe/groupes/{}", group.slug);
    let mut export_filters = filters.clone();
    export_filters.page = 0;
    let export_query = serde_urlencoded::to_string(&export_filters).unwrap_or_default();
    staff_page(
        &format!("Participants — {}", group.full_title()),
        member,
        csrf,
        html! {
            h1 { "Participants : " (group.full_title()) }
            form method="get" action=(base) {
                fieldset.fr-fieldset {
                    legend.fr-fieldset__legend { "Filtrer la liste" }
                    div.fr-fieldset__element.fr-fieldset__element--inline {
                        (options("etat", "État", &filters.etat, RegistrationState::ALL.iter().map(|s| (s.as_str(), s.label())).collect()))
                    }
                    div.fr-fieldset__element.fr-fieldset__element--inline {
                        (options("role", "Rôle", &filters.role, vec![("agent", Role::Agent.label()), ("elected", Role::Elected.label())]))
                    }
                    div.fr-fieldset__element.fr-fieldset__element--inline {
                        (options("type_collectivite", "Type de collectivité", &filters.type_collectivite, AuthorityKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect()))
                    }
                    div.fr-fieldset__element.fr-fieldset__element--inline {
                        div.fr-input-group {
                            label.fr-label for="region" { "Code de région" span.fr-hint-text { "Par exemple 84" } }
                            input.fr-input #region name="region" value=(filters.region) maxlength="3";
                        }
                    }
                    div.fr-fieldset__element.fr-fieldset__element--inline {
                        div.fr-input-group {
                            label.fr-label for="departement" { "Code de département" span.fr-hint-text { "Par exemple 42" } }
                            input.fr-input #departement name="departement" value=(filters.departement) maxlength="3";
                        }
                    }
                    div.fr-fieldset__element.fr-fieldset__element--inline {
                        div.fr-input-group {
                            label.fr-label for="q" { "Nom ou adresse électronique" }
                            input.fr-input #q name="q" type="search" value=(filters.q) maxlength="100";
                        }
                    }
                    div.fr-fieldset__element { button.fr-btn type="submit" { "Filtrer" } }
                }
            }
            p { (total) " inscription(s) correspondent." }
            ul.fr-btns-group.fr-btns-group--inline-md {
                li { a.fr-btn.fr-btn--secondary href={ (base) "/export.csv?" (export_query) } { "Exporter pour Excel ou LibreOffice (CSV)" } }
                li { a.fr-btn.fr-btn--tertiary href={ (base) "/export.csv?" (export_query) "&format=csv" } { "Exporter en CSV standard (RFC 4180)" } }
            }
            p.fr-text--sm {
                "L’export suit les filtres ci-dessus. Colonnes : " (crate::export::COLUMNS.join(", ")) "."
            }
            div.fr-table.fr-table--no-caption { table {
                caption { "Participants" }
                thead { tr {
                    th scope="col" { "Nom" } th scope="col" { "Courriel" } th scope="col" { "Rôle et fonction" }
                    th scope="col" { "Collectivité" } th scope="col" { "État" } th scope="col" { "Inscription" } th scope="col" { "Confirmation" }
                } }
                tbody {
                    @for p in rows {
                        tr {
                            td { a href={ (base) "/inscriptions/" (p.id) } { (p.first_name) " " (p.last_name) } }
                            td { (p.email) }
                            td { (Role::parse(&p.role).map(Role::label).unwrap_or("")) ", " (p.function) }
                            td { (p.authority_name) @if let Some(code) = &p.authority_code { " (" (code) ")" } }
                            td { @if let Some(state) = RegistrationState::parse(&p.state) { (state_badge(state)) } }
                            td { (format_paris(p.created_at)) }
                            td { @if let Some(at) = p.confirmed_at { (format_paris(at)) } @else { "—" } }
                        }
                    }
                }
            } }
            @if pages > 1 {
                nav.fr-pagination role="navigation" aria-label="Pagination" {
                    ul.fr-pagination__list {
                        @if page > 1 {
                            li { a.fr-pagination__link.fr-pagination__link--prev href={ (base) "?" (query_string(filters, page - 1)) } { "Page précédente" } }
                        }
                        li { a.fr-pagination__link aria-current="page" title={ "Page " (page) } { (page) " / " (pages) } }
                        @if page < pages {
                            li { a.fr-pagination__link.fr-pagination__link--next href={ (base) "?" (query_string(filters, page + 1)) } { "Page suivante" } }
                        }
                    }
                }
            }
        },
    )
}

pub fn registration(member: &StaffMember, csrf: &str, group: &Group, p: &Participant) -> Markup {
    staff_page(
        "Inscription",
        member,
        csrf,
        html! {
            h1 { (p.first_name) " " (p.last_name) }
            p { "Inscription à : " (group.full_title()) }
            dl {
                dt { "État" } dd { @if let Some(state) = RegistrationState::parse(&p.state) { (state.label()) } }
                dt { "Courriel" } dd { (p.email) }
                dt { "Rôle et fonction" } dd { (Role::parse(&p.role).map(Role::label).unwrap_or("")) ", " (p.function) }
                dt { "Collectivité" } dd { (p.authority_name) @if let Some(code) = &p.authority_code { " (" (code) ")" } }
                @if let Some(name) = &p.departement_name { dt { "Département" } dd { (name) } }
                @if let Some(name) = &p.region_name { dt { "Région" } dd { (name) } }
                @if let Some(phone) = &p.phone { dt { "Téléphone" } dd { (phone) } }
                dt { "Inscription" } dd { (format_paris(p.created_at)) }
                @if let Some(at) = p.confirmed_at { dt { "Confirmation" } dd { (format_paris(at)) } }
                @if let Some(at) = p.decided_at { dt { "Décision" } dd { (format_paris(at)) @if let Some(reason) = &p.decision_reason { " — " (reason) } } }
            }
            a.fr-link href={ "/equipe/groupes/" (group.slug) } { "Retour à la liste" }
        },
    )
}

/// One dimension of the figures: a bar chart drawn server-side (SVG) and the same
/// numbers in a table beside it, so nobody depends on the picture.
fn chart(id: &str, title: &str, rows: &[(String, String, i64)]) -> Markup {
    let max = rows.iter().map(|(_, _, n)| *n).max().unwrap_or(1).max(1) as f64;
    let bar_height = 22;
    let height = rows.len() as i64 * bar_height + 10;
    html! {
        section.fr-mb-6w aria-labelledby=(id) {
            h2.fr-h4 #(id) { (title) }
            @if rows.is_empty() {
                p { "Aucune inscription confirmée pour l’instant." }
            } @else {
                div.fr-grid-row.fr-grid-row--gutters {
                    div.fr-col-12.fr-col-md-6 {
                        // The table below carries the same numbers for assistive technologies.
                        svg width="100%" viewBox={ "0 0 400 " (height) } role="img" aria-hidden="true" focusable="false" {
                            @for (i, (_, label, count)) in rows.iter().enumerate() {
                                @let y = i as i64 * bar_height + 4;
                                @let width = (*count as f64 / max * 220.0).max(2.0);
                                text x="0" y=(y + 15) font-size="12" fill="currentColor" { (label.chars().take(24).collect::<String>()) }
                                rect x="170" y=(y) width=(format!("{width:.1}")) height="16" fill="#000091" {}
                                text x=(format!("{:.1}", 176.0 + width)) y=(y + 13) font-size="12" fill="currentColor" { (count) }
                            }
                        }
                    }
                    div.fr-col-12.fr-col-md-6 {
                        div.fr-table { table {
                            caption { (title) }
                            thead { tr { th scope="col" { "Libellé" } th scope="col" { "Inscriptions" } } }
                            tbody { @for (_, label, count) in rows { tr { td { (label) } td { (count) } } } }
                        } }
                    }
                }
            }
        }
    }
}

pub struct Figures {
    pub by_region: Vec<(String, String, i64)>,
    pub by_departement: Vec<(String, String, i64)>,
    pub by_role: Vec<(String, String, i64)>,
    pub by_kind: Vec<(String, String, i64)>,
}

pub fn figures(member: &StaffMember, csrf: &str, group: &Group, figures: &Figures) -> Markup {
    staff_page(
        &format!("Chiffres — {}", group.full_title()),
        member,
        csrf,
        html! {
            h1 { "Chiffres : " (group.full_title()) }
            p { "Inscriptions confirmées ou validées (ni retirées, ni refusées, ni en attente de confirmation)." }
            (chart("par-region", "Par région", &figures.by_region))
            (chart("par-departement", "Par département", &figures.by_departement))
            (chart("par-role", "Élu·es et agents", &figures.by_role))
            (chart("par-type", "Par type de collectivité", &figures.by_kind))
        },
    )
}
