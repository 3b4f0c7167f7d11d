//! Admin pages: the moderation queue, groups, staff, and the audit log.

use maud::{Markup, html};

use super::staff_page;
use crate::{
    clock::format_paris,
    db::{groups::Group, participants::Participant},
    staff::{StaffMember, audit},
    views::components::{FormErrors, Input, csrf_field, error_summary},
};

/// A confirmed registration waiting for a decision, with its group's title.
pub struct Waiting {
    pub group_title: String,
    pub participant: Participant,
}

pub fn moderation(
    member: &StaffMember,
    csrf: &str,
    waiting: &[Waiting],
    decided: &[Waiting],
    notice: Option<&str>,
) -> Markup {
    staff_page(
        "Modération",
        member,
        csrf,
        html! {
            h1 { "Modération" }
            @if let Some(notice) = notice { div.fr-alert.fr-alert--success.fr-mb-4w role="status" { p { (notice) } } }
            p { "Les groupes qui demandent une validation gardent ici les inscriptions confirmées. Chaque décision est envoyée par courriel à la personne et inscrite au journal ; elle peut être changée." }
            form method="post" action="/equipe/moderation" {
                (csrf_field(csrf))
                @if waiting.is_empty() {
                    p { "Aucune inscription n’attend de décision." }
                } @else {
                    div.fr-table { table {
                        caption { "Inscriptions en attente (" (waiting.len()) ")" }
                        thead { tr { th scope="col" { "Choisir" } th scope="col" { "Personne" } th scope="col" { "Collectivité" } th scope="col" { "Groupe" } th scope="col" { "Confirmée le" } } }
                        tbody { @for w in waiting { @let p = &w.participant; tr {
                            td { div.fr-checkbox-group.fr-checkbox-group--sm {
                                input type="checkbox" id={ "r-" (p.id) } name="ids" value=(p.id);
                                label.fr-label for={ "r-" (p.id) } { "Choisir" span.fr-sr-only { " " (p.first_name) " " (p.last_name) } }
                            } }
                            td { (p.first_name) " " (p.last_name) br; (p.function) }
                            td { (p.authority_name) }
                            td { (w.group_title) }
                            td { @if let Some(at) = p.confirmed_at { (format_paris(at)) } }
                        } } }
                    } }
                }
                @if !decided.is_empty() {
                    div.fr-table { table {
                        caption { "Décisions récentes (modifiables)" }
                        thead { tr { th scope="col" { "Choisir" } th scope="col" { "Personne" } th scope="col" { "Groupe" } th scope="col" { "Décision" } } }
                        tbody { @for w in decided { @let p = &w.participant; tr {
                            td { div.fr-checkbox-group.fr-checkbox-group--sm {
                                input type="checkbox" id={ "d-" (p.id) } name="ids" value=(p.id);
                                label.fr-label for={ "d-" (p.id) } { "Choisir" span.fr-sr-only { " " (p.first_name) " " (p.last_name) } }
                            } }
                            td { (p.first_name) " " (p.last_name) }
                            td { (w.group_title) }
                            td { (if p.state == "approved" { "Validée" } else { "Refusée" })
                                 @if let Some(reason) = &p.decision_reason { " — " (reason) } }
                        } } }
                    } }
                }
                @if !waiting.is_empty() || !decided.is_empty() {
                    div.fr-input-group {
                        label.fr-label for="reason" { "Motif du refus (optionnel)" span.fr-hint-text { "Il sera indiqué dans le courriel envoyé à la personne." } }
                        textarea.fr-input #reason name="reason" maxlength="500" rows="2" {}
                    }
                    ul.fr-btns-group.fr-btns-group--inline-md {
                        li { button.fr-btn type="submit" name="decision" value="approve" { "Valider la sélection" } }
                        li { button.fr-btn.fr-btn--secondary type="submit" name="decision" value="reject" { "Refuser la sélection" } }
                    }
                }
            }
        },
    )
}

pub fn groups(member: &StaffMember, csrf: &str, groups: &[Group]) -> Markup {
    staff_page(
        "Groupes",
        member,
        csrf,
        html! {
            h1 { "Groupes" }
            div.fr-table { table {
                caption { "Groupes, dans l’ordre de la page d’accueil" }
                thead { tr { th scope="col" { "Groupe" } th scope="col" { "Inscriptions" } th scope="col" { "Validation" } th scope="col" { "Ordre" } } }
                tbody { @for (i, g) in groups.iter().enumerate() { tr {
                    td { a href={ "/equipe/admin/groupes/" (g.slug) } { (g.full_title()) } }
                    td { (if g.is_open { "ouvertes" } else { "closes" }) @if let Some(c) = g.capacity { " (" (c) " places)" } }
                    td { (if g.requires_approval { "oui" } else { "non" }) }
                    td {
                        form method="post" action={ "/equipe/admin/groupes/" (g.slug) "/deplacer" } {
                            (csrf_field(csrf))
                            @if i > 0 { button.fr-btn.fr-btn--sm.fr-btn--tertiary type="submit" name="sens" value="haut" { "Monter" span.fr-sr-only { " " (g.title) } } }
                            @if i + 1 < groups.len() { button.fr-btn.fr-btn--sm.fr-btn--tertiary type="submit" name="sens" value="bas" { "Descendre" span.fr-sr-only { " " (g.title) } } }
                        }
                    }
                } } }
            } }
            a.fr-btn href="/equipe/admin/groupes/nouveau" { "Créer un groupe" }
        },
    )
}

/// The values of the group form, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct GroupForm {
    pub slug: String,
    pub number: String,
    pub title: String,
    pub objective: String,
    pub copilots: String,
    pub is_open: Option<String>,
    pub closes_on: String,
    pub capacity: String,
    pub requires_approval: Option<String>,
}

pub fn group_form(
    member: &StaffMember,
    csrf: &str,
    existing: Option<&Group>,
    values: &GroupForm,
    errors: &FormErrors,
) -> Markup {
    let action = match existing {
        Some(g) => format!("/equipe/admin/groupes/{}", g.slug),
        None => "/equipe/admin/groupes".to_owned(),
    };
    let title = if existing.is_some() {
        "Modifier le groupe"
    } else {
        "Créer un groupe"
    };
    staff_page(
        title,
        member,
        csrf,
        html! {
            h1 { (title) }
            (error_summary(errors))
            form method="post" action=(action) novalidate {
                (csrf_field(csrf))
                @if existing.is_none() {
                    (Input { id: "slug", label: "Adresse du groupe", hint: Some("Lettres minuscules, chiffres et tirets : elle apparaît dans l’adresse du formulaire."), value: &values.slug, kind: "text", autocomplete: None, optional: false, max_chars: 60 }.render(errors))
                }
                (Input { id: "number", label: "Numéro", hint: Some("Laissez vide pour l’espace collaboratif."), value: &values.number, kind: "text", autocomplete: None, optional: true, max_chars: 4 }.render(errors))
                (Input { id: "title", label: "Titre", hint: None, value: &values.title, kind: "text", autocomplete: None, optional: false, max_chars: 200 }.render(errors))
                div.fr-input-group.fr-input-group--error[errors.get("objective").is_some()] {
                    label.fr-label for="objective" { "Objectif" }
                    textarea.fr-input #objective name="objective" rows="3" maxlength="2000" aria-describedby="objective-messages" { (values.objective) }
                    div.fr-messages-group #objective-messages aria-live="polite" { @if let Some(m) = errors.get("objective") { p.fr-message.fr-message--error { (m) } } }
                }
                div.fr-input-group {
                    label.fr-label for="copilots" { "Copilotes (texte affiché)" span.fr-hint-text { "(optionnel)" } }
                    textarea.fr-input #copilots name="copilots" rows="2" maxlength="2000" { (values.copilots) }
                }
                div.fr-checkbox-group.fr-mb-2w {
                    input type="checkbox" id="is_open" name="is_open" value="oui" checked[values.is_open.is_some()];
                    label.fr-label for="is_open" { "Inscriptions ouvertes" }
                }
                (Input { id: "closes_on", label: "Date de clôture des inscriptions", hint: Some("Format attendu : AAAA-MM-JJ"), value: &values.closes_on, kind: "date", autocomplete: None, optional: true, max_chars: 10 }.render(errors))
                (Input { id: "capacity", label: "Nombre de places", hint: Some("Au-delà, le formulaire affiche « complet »."), value: &values.capacity, kind: "text", autocomplete: None, optional: true, max_chars: 6 }.render(errors))
                div.fr-checkbox-group.fr-mb-4w {
                    input type="checkbox" id="requires_approval" name="requires_approval" value="oui" checked[values.requires_approval.is_some()];
                    label.fr-label for="requires_approval" { "Les inscriptions demandent une validation" }
                }
                button.fr-btn type="submit" { "Enregistrer" }
            }
        },
    )
}

/// The values of the staff form, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct StaffForm {
    pub email: String,
    pub role: String,
    pub groups: Vec<i64>,
}

pub fn staff(
    member: &StaffMember,
    csrf: &str,
    members: &[StaffMember],
    groups: &[Group],
    errors: &FormErrors,
    values: &StaffForm,
) -> Markup {
    let group_boxes = |prefix: &str, checked: &dyn Fn(i64) -> bool| {
        html! {
            fieldset.fr-fieldset {
                legend.fr-fieldset__legend.fr-fieldset__legend--regular { "Groupes confiés (copilotes)" }
                @for g in groups {
                    div.fr-fieldset__element { div.fr-checkbox-group.fr-checkbox-group--sm {
                        input type="checkbox" id={ (prefix) "-" (g.id) } name="groups" value=(g.id) checked[checked(g.id)];
                        label.fr-label for={ (prefix) "-" (g.id) } { (g.full_title()) }
                    } }
                }
            }
        }
    };
    let role_select = |id: &str, selected: &str| {
        html! {
            div.fr-select-group {
                label.fr-label for=(id) { "Rôle" }
                select.fr-select id=(id) name="role" {
                    option value="copilot" selected[selected != "admin"] { "Copilote" }
                    option value="admin" selected[selected == "admin"] { "Administrateur·rice" }
                }
            }
        }
    };
    staff_page(
        "Équipe",
        member,
        csrf,
        html! {
            h1 { "Équipe" }
            (error_summary(errors))
            @for m in members {
                section.fr-mb-4w aria-labelledby={ "m-" (m.id) } {
                    h2.fr-h6 #{ "m-" (m.id) } { (m.email) " — " (m.role.label()) }
                    form method="post" action={ "/equipe/admin/equipe/" (m.id) } {
                        (csrf_field(csrf))
                        (role_select(&format!("role-{}", m.id), m.role.as_str()))
                        (group_boxes(&format!("g{}", m.id), &|id| m.group_ids.contains(&id)))
                        button.fr-btn.fr-btn--sm type="submit" { "Enregistrer" span.fr-sr-only { " " (m.email) } }
                    }
                    form.fr-mt-1w method="post" action={ "/equipe/admin/equipe/" (m.id) "/retirer" } {
                        (csrf_field(csrf))
                        button.fr-btn.fr-btn--sm.fr-btn--tertiary type="submit" { "Retirer de l’équipe" span.fr-sr-only { " " (m.email) } }
                    }
                }
            }
            h2 { "Ajouter un membre" }
            form method="post" action="/equipe/admin/equipe" novalidate {
                (csrf_field(csrf))
                (Input { id: "email", label: "Adresse électronique", hint: None, value: &values.email, kind: "email", autocomplete: None, optional: false, max_chars: 254 }.render(errors))
                (role_select("role", &values.role))
                (group_boxes("new", &|id| values.groups.contains(&id)))
                button.fr-btn type="submit" { "Ajouter" }
            }
        },
    )
}

pub fn journal(member: &StaffMember, csrf: &str, entries: &[audit::Entry], action: &str) -> Markup {
    staff_page(
        "Journal",
        member,
        csrf,
        html! {
            h1 { "Journal des actions" }
            p { "Chaque connexion, export, décision et modification de groupe ou d’équipe. Le journal ne peut être ni modifié ni effacé." }
            form method="get" action="/equipe/admin/journal" {
                div.fr-select-group {
                    label.fr-label for="action" { "Type d’action" }
                    select.fr-select #action name="action" {
                        option value="" selected[action.is_empty()] { "Toutes" }
                        @for (value, label) in audit::ACTIONS { option value=(value) selected[action == *value] { (label) } }
                    }
                }
                button.fr-btn.fr-btn--sm type="submit" { "Filtrer" }
            }
            div.fr-table { table {
                caption { "Dernières actions" }
                thead { tr { th scope="col" { "Date" } th scope="col" { "Membre (n°)" } th scope="col" { "Action" } th scope="col" { "Groupe (n°)" } th scope="col" { "Inscription (n°)" } th scope="col" { "Détails" } } }
                tbody { @for e in entries { tr {
                    td { (format_paris(e.at)) }
                    td { @if let Some(id) = e.staff_id { (id) } @else { "—" } }
                    td { (audit::ACTIONS.iter().find(|(a, _)| *a == e.action).map(|(_, l)| *l).unwrap_or(&e.action)) }
                    td { @if let Some(id) = e.group_id { (id) } }
                    td { @if let Some(id) = e.registration_id { (id) } }
                    td { code { (e.details) } }
                } } }
            } }
        },
    )
}

/// Finding a person by address, to answer a request about their data.
pub fn person(
    member: &StaffMember,
    csrf: &str,
    email: &str,
    found: Option<&(String, Vec<crate::db::registrations::OwnRegistration>)>,
) -> Markup {
    staff_page(
        "Personnes",
        member,
        csrf,
        html! {
            h1 { "Demandes sur les données d’une personne" }
            p { "Pour répondre à une demande d’accès ou d’effacement reçue par courrier ou par courriel. Chaque export et chaque effacement est inscrit au journal." }
            form method="get" action="/equipe/admin/personnes" {
                (Input { id: "email", label: "Adresse électronique de la personne", hint: None, value: email, kind: "email", autocomplete: None, optional: false, max_chars: 254 }.render(&FormErrors::default()))
                button.fr-btn.fr-btn--sm type="submit" { "Rechercher" }
            }
            @match found {
                None => { @if !email.is_empty() { p.fr-mt-4w { "Aucune inscription avec cette adresse." } } }
                Some((email, registrations)) => {
                    h2.fr-mt-4w { (email) }
                    ul { @for r in registrations { li { (r.group_full_title()) " — " (r.state().label()) } } }
                    ul.fr-btns-group.fr-btns-group--inline-md {
                        li { form method="post" action="/equipe/admin/personnes/donnees" {
                            (csrf_field(csrf)) input type="hidden" name="email" value=(email);
                            button.fr-btn.fr-btn--secondary type="submit" { "Télécharger ses données (JSON)" }
                        } }
                        li { form method="post" action="/equipe/admin/personnes/effacer" {
                            (csrf_field(csrf)) input type="hidden" name="email" value=(email);
                            button.fr-btn.fr-btn--tertiary type="submit" { "Effacer toutes ses données" }
                        } }
                    }
                }
            }
        },
    )
}
