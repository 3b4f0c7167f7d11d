//! The sign-up form of a group, and the pages around it.

use maud::{Markup, html};

use super::{
    components::{FormErrors, Input, Radios, Select, checkbox, csrf_field, error_summary},
    layout::page,
    legal::privacy_notice,
};
use crate::{
    config::Config,
    db::groups::Group,
    domain::AuthorityKind,
    referentiel::AuthorityHit,
    registration::form::{AUTHORITY_NAME_MAX_CHARS, FUNCTION_MAX_CHARS, SignUpForm},
};

const ROLES: &[(&str, &str)] = &[("agent", "Agent"), ("elected", "Élu·e")];

fn authority_kinds() -> Vec<(&'static str, &'static str)> {
    AuthorityKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

fn group_intro(group: &Group) -> Markup {
    html! {
        h1 { "S’inscrire : " (group.full_title()) }
        @if !group.is_space() {
            ul {
                li { strong { "Objectif :" } " " (group.objective) }
                @if !group.copilots.is_empty() { li { strong { "Copilotes :" } " " (group.copilots) } }
            }
        } @else {
            p { (group.objective) }
        }
    }
}

/// The form, empty or as sent back with its errors.
pub fn form(
    config: &Config,
    group: &Group,
    offer_space: Option<&Group>,
    values: &SignUpForm,
    errors: &FormErrors,
    picker: &AuthorityPicker,
    csrf: &str,
) -> Markup {
    let title = if errors.is_empty() {
        format!("Inscription — {}", group.full_title())
    } else {
        format!("Erreur — Inscription — {}", group.full_title())
    };
    page(
        &title,
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-10.fr-col-lg-8 {
                (group_intro(group))
                (error_summary(errors))
                form method="post" action={ "/groupes/" (group.slug) "/inscription" } novalidate {
                    (csrf_field(csrf))
                    (person_fields(values, errors, true, Some(picker)))
                    @if let Some(space) = offer_space {
                        div.fr-fieldset__element.fr-mb-4w {
                            (checkbox("join_space", &format!("Je souhaite aussi m’inscrire à l’{}", lowercase_first(&space.title)), Some("Pour suivre l’avancement des travaux et participer aux échanges."), values.wants_space()))
                        }
                    }
                    button.fr-btn type="submit" { "Envoyer mon inscription" }
                }
                (privacy_notice(config))
            } }
        },
    )
}

/// The fields describing the registrant, shared by the sign-up form and the page
/// where a registrant corrects their details (where the address is not editable).
pub fn person_fields(
    values: &SignUpForm,
    errors: &FormErrors,
    with_email: bool,
    picker: Option<&AuthorityPicker>,
) -> Markup {
    let kinds = authority_kinds();
    html! {
        p.fr-hint-text { "Sauf mention contraire, tous les champs sont obligatoires." }
        fieldset.fr-fieldset {
            legend.fr-fieldset__legend { h2.fr-h4.fr-mb-0 { "Vous" } }
            div.fr-fieldset__element {
                (Input { id: "first_name", label: "Prénom", hint: None, value: &values.first_name, kind: "text", autocomplete: Some("given-name"), optional: false, max_chars: 100 }.render(errors))
            }
            div.fr-fieldset__element {
                (Input { id: "last_name", label: "Nom", hint: None, value: &values.last_name, kind: "text", autocomplete: Some("family-name"), optional: false, max_chars: 100 }.render(errors))
            }
            @if with_email { div.fr-fieldset__element {
                (Input { id: "email", label: "Adresse électronique", hint: Some("Format attendu : prenom.nom@mairie.fr. Un lien de confirmation y sera envoyé."), value: &values.email, kind: "email", autocomplete: Some("email"), optional: false, max_chars: 254 }.render(errors))
            } }
            div.fr-fieldset__element {
                (Input { id: "phone", label: "Téléphone", hint: Some("Format attendu : 01 23 45 67 89"), value: &values.phone, kind: "tel", autocomplete: Some("tel"), optional: true, max_chars: 25 }.render(errors))
            }
        }
        fieldset.fr-fieldset {
            legend.fr-fieldset__legend { h2.fr-h4.fr-mb-0 { "Votre collectivité" } }
            div.fr-fieldset__element {
                (Radios { id: "role", legend: "Vous êtes", options: ROLES, selected: &values.role }.render(errors))
            }
            div.fr-fieldset__element {
                (Input { id: "function", label: "Fonction", hint: Some("Par exemple : Maire, Adjointe au numérique, DGS, Chargé de mission"), value: &values.function, kind: "text", autocomplete: Some("organization-title"), optional: false, max_chars: FUNCTION_MAX_CHARS }.render(errors))
            }
            @if let Some(picker) = picker {
                div.fr-fieldset__element { (picker.render()) }
                div.fr-fieldset__element {
                    p.fr-text--bold.fr-mb-1w #saisie-manuelle { "Ou saisissez-la vous-même" }
                    p.fr-hint-text { "Pour un autre organisme public (service de l’État, agence, association), ou si votre collectivité n’est pas dans la liste. Si vous en avez choisi une dans la liste, ces champs sont remplis d’après elle." }
                }
            }
            div.fr-fieldset__element {
                (Select { id: "authority_kind", label: "Type de collectivité ou d’organisme", options: &kinds, selected: &values.authority_kind }.render(errors))
            }
            div.fr-fieldset__element {
                (Input { id: "authority_name", label: "Nom de la collectivité ou de l’organisme", hint: Some("Par exemple : Saint-Étienne, Métropole de Lyon, Région Bretagne"), value: &values.authority_name, kind: "text", autocomplete: Some("organization"), optional: false, max_chars: AUTHORITY_NAME_MAX_CHARS }.render(errors))
            }
            div.fr-fieldset__element {
                (Input { id: "authority_code", label: "Code officiel", hint: Some("Code INSEE pour une commune, un département ou une région ; numéro SIREN pour un EPCI ou un autre organisme, si vous le connaissez"), value: &values.authority_code, kind: "text", autocomplete: None, optional: true, max_chars: 20 }.render(errors))
            }
        }
    }
}

/// The search in the official list of authorities. Without JavaScript, the
/// « Rechercher » button sends the form back with the hits to choose from (what
/// was typed elsewhere is kept); with JavaScript, `app.js` turns the search field
/// into a combobox fed by `/api/collectivites`.
#[derive(Default)]
pub struct AuthorityPicker {
    pub query: String,
    /// The hits of a search just made (the page then shows them).
    pub hits: Option<Vec<AuthorityHit>>,
    /// The authority already picked, kept across a form sent back with errors.
    pub chosen: Option<AuthorityHit>,
}

impl AuthorityPicker {
    fn render(&self) -> Markup {
        let choices: Vec<&AuthorityHit> = match (&self.hits, &self.chosen) {
            (Some(hits), _) => hits.iter().collect(),
            (None, Some(chosen)) => vec![chosen],
            (None, None) => Vec::new(),
        };
        let chosen_value = self.chosen.as_ref().map(choice_value);
        html! {
            div.fr-input-group #recherche-collectivite {
                label.fr-label for="authority_query" {
                    "Rechercher votre collectivité dans la liste officielle"
                    span.fr-hint-text #authority_query-hint { "Nom, code postal, code INSEE ou numéro SIREN. Par exemple : Saint-Étienne, 42000 ou 244200770" }
                }
                input.fr-input #authority_query name="authority_query" type="search" value=(self.query)
                    autocomplete="off" maxlength="100" aria-describedby="authority_query-hint"
                    data-autocomplete="/api/collectivites";
                button.fr-btn.fr-btn--secondary.fr-btn--sm.fr-mt-1w type="submit" name="action" value="rechercher" formnovalidate {
                    "Rechercher"
                }
            }
            @if let Some(hits) = &self.hits {
                @if hits.is_empty() {
                    p.fr-message.fr-message--info #resultats-collectivite tabindex="-1" autofocus {
                        @if self.query.trim().is_empty() { "Saisissez un nom, un code postal ou un code pour rechercher." }
                        @else { "Aucune collectivité ne correspond à « " (self.query) " ». Vérifiez l’orthographe, essayez le code postal, ou saisissez-la vous-même ci-dessous." }
                    }
                }
            }
            @if !choices.is_empty() {
                fieldset.fr-fieldset #resultats-collectivite tabindex=[self.hits.as_ref().map(|_| "-1")] autofocus[self.hits.is_some()]
                    aria-labelledby="resultats-collectivite-legend" {
                    legend.fr-fieldset__legend.fr-fieldset__legend--regular #resultats-collectivite-legend {
                        @if self.hits.is_some() {
                            @if choices.len() == 1 { "Un résultat : choisissez votre collectivité" }
                            @else { (choices.len()) " résultats : choisissez votre collectivité" }
                        } @else { "Votre collectivité" }
                    }
                    @for (i, hit) in choices.iter().enumerate() {
                        @let value = choice_value(hit);
                        @let id = format!("authority_choice-{i}");
                        div.fr-fieldset__element {
                            div.fr-radio-group {
                                input type="radio" id=(id) name="authority_choice" value=(value)
                                    checked[chosen_value.as_deref() == Some(value.as_str()) || (choices.len() == 1 && self.hits.is_none())];
                                label.fr-label for=(id) { (hit.description()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The value of a choice: "commune:42218".
pub fn choice_value(hit: &AuthorityHit) -> String {
    format!("{}:{}", hit.kind.as_str(), hit.code)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Instead of the form, when the group takes no more sign-ups.
pub fn closed(group: &Group, reason: &str) -> Markup {
    page(
        &format!("Inscriptions closes — {}", group.full_title()),
        html! {
            (group_intro(group))
            div.fr-alert.fr-alert--info.fr-mb-4w {
                h2.fr-alert__title { (reason) }
                p { "Ce groupe projet n’accepte plus de nouvelles inscriptions. Vous pouvez vous inscrire à un autre groupe depuis la page d’accueil." }
            }
            a.fr-link href="/" { "Voir tous les groupes projets" }
        },
    )
}

/// After a sign-up: the same page whatever the address, so it reveals nothing.
pub fn sent(csrf: &str) -> Markup {
    page(
        "Vérifiez votre messagerie",
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-10.fr-col-lg-8 {
                h1 { "Vérifiez votre messagerie" }
                div.fr-alert.fr-alert--success.fr-mb-4w {
                    h2.fr-alert__title { "Votre demande est enregistrée" }
                    p { "Nous venons de vous envoyer un courriel. Ouvrez le lien qu’il contient pour confirmer votre inscription : elle ne sera prise en compte qu’après cette confirmation." }
                }
                p { "Le courriel peut mettre quelques minutes à arriver. Pensez à regarder dans vos courriers indésirables (spam)." }
                h2.fr-h4 { "Vous n’avez rien reçu ?" }
                (link_request_form(csrf, &FormErrors::default(), ""))
            } }
        },
    )
}

/// Asks for the link again, by address. Posts to `/mes-inscriptions`.
pub fn link_request_form(csrf: &str, errors: &FormErrors, email: &str) -> Markup {
    html! {
        form method="post" action="/mes-inscriptions" novalidate {
            (csrf_field(csrf))
            (Input { id: "email", label: "Adresse électronique utilisée pour l’inscription", hint: Some("Nous y enverrons un nouveau lien."), value: email, kind: "email", autocomplete: Some("email"), optional: false, max_chars: 254 }.render(errors))
            button.fr-btn.fr-btn--secondary type="submit" { "Recevoir un nouveau lien" }
        }
    }
}
