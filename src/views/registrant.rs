//! The registrant's side after the form: confirmation, their own page, withdrawal,
//! asking for a link again, and the pages for links that are unknown or expired.

use maud::{Markup, html};

use super::{
    components::{FormErrors, alert, csrf_field, error_summary, state_badge},
    layout::page,
    sign_up::link_request_form,
};
use crate::{
    clock::format_paris,
    db::registrations::OwnRegistration,
    domain::{AuthorityKind, RegistrationState, Role},
    registration::form::SignUpForm,
};

pub fn confirmed(registrations: &[OwnRegistration], manage_path: &str) -> Markup {
    let awaiting_approval = registrations
        .iter()
        .any(|r| r.state() == RegistrationState::Confirmed && r.group_requires_approval);
    page(
        "Inscription confirmée",
        html! {
            h1 { "Inscription confirmée" }
            (alert("success", "Votre adresse électronique est confirmée", html! {
                p { "Votre inscription est enregistrée pour :" }
                ul { @for r in registrations { li { (r.group_full_title()) } } }
            }))
            @if awaiting_approval {
                p { "Certains groupes examinent les inscriptions : vous recevrez un courriel dès que la vôtre aura été validée." }
            }
            p { "Les copilotes du groupe vous contacteront à cette adresse pour les prochains travaux." }
            a.fr-btn href=(manage_path) { "Voir mes inscriptions" }
        },
    )
}

pub fn unknown_link(csrf: &str) -> Markup {
    page(
        "Lien non valide",
        html! {
            h1 { "Lien non valide" }
            p { "Ce lien n’est pas reconnu : il a peut-être été mal copié, ou les inscriptions correspondantes ont été effacées." }
            p { "Saisissez votre adresse électronique : si elle correspond à une inscription, nous vous enverrons un nouveau lien." }
            (link_request_form(csrf, &FormErrors::default(), ""))
        },
    )
}

pub fn expired_confirmation(csrf: &str, token: &str) -> Markup {
    page(
        "Lien expiré",
        html! {
            h1 { "Ce lien de confirmation a expiré" }
            p { "Pour votre sécurité, les liens de confirmation ne sont valables que quelques jours. Demandez-en un nouveau : il sera envoyé à l’adresse de l’inscription." }
            form method="post" action="/confirmation/nouveau-lien" {
                (csrf_field(csrf))
                input type="hidden" name="token" value=(token);
                button.fr-btn type="submit" { "Recevoir un nouveau lien" }
            }
        },
    )
}

pub fn expired_manage_link(csrf: &str) -> Markup {
    page(
        "Lien expiré",
        html! {
            h1 { "Ce lien a expiré" }
            p { "Pour votre sécurité, les liens vers votre espace ne sont valables que quelques semaines. Saisissez votre adresse électronique pour en recevoir un nouveau." }
            (link_request_form(csrf, &FormErrors::default(), ""))
        },
    )
}

pub fn link_request(csrf: &str, errors: &FormErrors, email: &str) -> Markup {
    let title = if errors.is_empty() {
        "Retrouver mes inscriptions"
    } else {
        "Erreur — Retrouver mes inscriptions"
    };
    page(
        title,
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-8 {
                h1 { "Retrouver mes inscriptions" }
                (super::components::error_summary(errors))
                p { "Saisissez l’adresse électronique de votre inscription : nous vous enverrons un lien pour consulter, modifier ou retirer vos inscriptions, ou pour confirmer celles qui attendent de l’être." }
                (link_request_form(csrf, errors, email))
            } }
        },
    )
}

pub fn link_sent() -> Markup {
    page(
        "Vérifiez votre messagerie",
        html! {
            h1 { "Vérifiez votre messagerie" }
            (alert("info", "Demande enregistrée", html! {
                p { "Si cette adresse correspond à une inscription, un courriel contenant un lien vient d’y être envoyé." }
            }))
            p { "Le courriel peut mettre quelques minutes à arriver. Pensez à regarder dans vos courriers indésirables (spam)." }
            a.fr-link href="/" { "Retour à l’accueil" }
        },
    )
}

fn role_label(role: &str) -> &'static str {
    Role::parse(role).map(Role::label).unwrap_or("—")
}

fn kind_label(kind: &str) -> &'static str {
    AuthorityKind::parse(kind)
        .map(AuthorityKind::label)
        .unwrap_or("—")
}

/// The registrant's own page.
pub fn manage(token: &str, registrations: &[OwnRegistration], notice: Option<&str>) -> Markup {
    page(
        "Mes inscriptions",
        html! {
            h1 { "Mes inscriptions" }
            @if let Some(notice) = notice {
                div.fr-alert.fr-alert--success.fr-mb-4w role="status" { p { (notice) } }
            }
            @if registrations.is_empty() {
                p { "Vous n’avez aucune inscription en cours." }
            }
            @for r in registrations {
                @let state = r.state();
                section.fr-card.fr-mb-3w aria-labelledby={ "inscription-" (r.id) } {
                    div.fr-card__body { div.fr-card__content {
                        h2.fr-card__title #{ "inscription-" (r.id) } { (r.group_full_title()) }
                        div.fr-card__start { (state_badge(state)) }
                        div.fr-card__desc {
                            dl {
                                dt { "Nom" } dd { (r.first_name) " " (r.last_name) }
                                dt { "Rôle et fonction" } dd { (role_label(&r.role)) ", " (r.function) }
                                dt { "Collectivité" } dd {
                                    (r.authority_name) " (" (kind_label(&r.authority_kind))
                                    @if let Some(code) = &r.authority_code { ", " (code) }
                                    ")"
                                }
                                @if let Some(phone) = &r.phone { dt { "Téléphone" } dd { (phone) } }
                                dt { "Inscription" } dd { "le " (format_paris(r.created_at)) }
                                @if let Some(at) = r.confirmed_at { dt { "Confirmation" } dd { "le " (format_paris(at)) } }
                                @if let Some(at) = r.withdrawn_at { dt { "Retrait" } dd { "le " (format_paris(at)) } }
                            }
                            @if state == RegistrationState::PendingEmail {
                                p { "Cette inscription attend sa confirmation : ouvrez le lien reçu par courriel." }
                            }
                        }
                        div.fr-card__end {
                            ul.fr-links-group {
                                li { a.fr-link href={ "/mes-inscriptions/" (token) "/modifier/" (r.id) } {
                                    "Modifier mes informations" span.fr-sr-only { " : " (r.group_full_title()) }
                                } }
                                @if state != RegistrationState::Withdrawn {
                                    li { a.fr-link href={ "/mes-inscriptions/" (token) "/retrait/" (r.id) } {
                                        "Me retirer de ce groupe" span.fr-sr-only { " : " (r.group_full_title()) }
                                    } }
                                }
                            }
                        }
                    } }
                }
            }
            (data_section(token))
        },
    )
}

/// What the registrant can do with all their data at once.
fn data_section(token: &str) -> Markup {
    html! {
        section.fr-mt-6w aria-labelledby="mes-donnees" {
            h2 #mes-donnees { "Mes données" }
            p { "Vous pouvez télécharger toutes les informations que nous détenons sur vous, ou les effacer définitivement." }
            ul.fr-btns-group.fr-btns-group--inline-md {
                li { a.fr-btn.fr-btn--secondary href={ "/mes-inscriptions/" (token) "/donnees.json" } download { "Télécharger mes données (JSON)" } }
                li { a.fr-btn.fr-btn--tertiary href={ "/mes-inscriptions/" (token) "/effacer" } { "Effacer toutes mes données" } }
            }
        }
    }
}

/// The page where a registrant corrects the details of one registration.
pub fn edit(
    csrf: &str,
    token: &str,
    registration: &OwnRegistration,
    values: &SignUpForm,
    errors: &FormErrors,
) -> Markup {
    let title = if errors.is_empty() {
        "Modifier mes informations"
    } else {
        "Erreur — Modifier mes informations"
    };
    page(
        title,
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-10.fr-col-lg-8 {
                h1 { "Modifier mes informations" }
                p { "Inscription à : " strong { (registration.group_full_title()) } }
                (error_summary(errors))
                form method="post" action={ "/mes-inscriptions/" (token) "/modifier/" (registration.id) } novalidate {
                    (csrf_field(csrf))
                    (super::sign_up::person_fields(values, errors, false, None))
                    ul.fr-btns-group.fr-btns-group--inline-md {
                        li { button.fr-btn type="submit" { "Enregistrer" } }
                        li { a.fr-btn.fr-btn--secondary href={ "/mes-inscriptions/" (token) } { "Annuler" } }
                    }
                }
            } }
        },
    )
}

pub fn confirm_erasure(csrf: &str, token: &str) -> Markup {
    page(
        "Effacer mes données",
        html! {
            h1 { "Effacer toutes mes données ?" }
            p { "Toutes vos inscriptions et les informations qui les accompagnent seront effacées définitivement. Les copilotes ne pourront plus vous contacter. Cette action ne peut pas être annulée." }
            p { "Vous pourrez toujours vous inscrire de nouveau plus tard." }
            form method="post" action={ "/mes-inscriptions/" (token) "/effacer" } {
                (csrf_field(csrf))
                ul.fr-btns-group.fr-btns-group--inline-md {
                    li { button.fr-btn type="submit" { "Effacer définitivement" } }
                    li { a.fr-btn.fr-btn--secondary href={ "/mes-inscriptions/" (token) } { "Annuler" } }
                }
            }
        },
    )
}

pub fn erased() -> Markup {
    page(
        "Données effacées",
        html! {
            h1 { "Vos données sont effacées" }
            (alert("success", "Effacement effectué", html! { p { "Vos inscriptions et les informations qui les accompagnaient ont été effacées." } }))
            a.fr-link href="/" { "Retour à l’accueil" }
        },
    )
}

/// The confirmation step before a withdrawal.
pub fn confirm_withdrawal(csrf: &str, token: &str, registration: &OwnRegistration) -> Markup {
    page(
        "Confirmer le retrait",
        html! {
            h1 { "Me retirer de ce groupe ?" }
            p { "Vous allez retirer votre inscription à : " strong { (registration.group_full_title()) } "." }
            p { "Les copilotes du groupe ne vous contacteront plus. Vous pourrez vous réinscrire plus tard depuis la page du groupe." }
            form method="post" action={ "/mes-inscriptions/" (token) "/retrait/" (registration.id) } {
                (csrf_field(csrf))
                ul.fr-btns-group.fr-btns-group--inline-md {
                    li { button.fr-btn type="submit" { "Confirmer le retrait" } }
                    li { a.fr-btn.fr-btn--secondary href={ "/mes-inscriptions/" (token) } { "Annuler" } }
                }
            }
        },
    )
}
