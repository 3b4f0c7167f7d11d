//! Sign-in pages: ask for a link, check your inbox, press the button.

use maud::{Markup, html};

use crate::views::{
    components::{FormErrors, Input, alert, csrf_field, error_summary},
    layout::page,
};

pub fn form(csrf: &str, errors: &FormErrors, email: &str) -> Markup {
    page(
        if errors.is_empty() {
            "Connexion de l’équipe"
        } else {
            "Erreur — Connexion de l’équipe"
        },
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-8 {
                h1 { "Connexion de l’équipe" }
                p { "Copilotes et administrateurs : saisissez votre adresse électronique, nous vous enverrons un lien de connexion valable quelques minutes." }
                (error_summary(errors))
                form method="post" action="/connexion" novalidate {
                    (csrf_field(csrf))
                    (Input { id: "email", label: "Adresse électronique", hint: None, value: email, kind: "email", autocomplete: Some("email"), optional: false, max_chars: 254 }.render(errors))
                    button.fr-btn type="submit" { "Recevoir un lien de connexion" }
                }
            } }
        },
    )
}

pub fn sent() -> Markup {
    page(
        "Vérifiez votre messagerie",
        html! {
            h1 { "Vérifiez votre messagerie" }
            (alert("info", "Demande enregistrée", html! {
                p { "Si cette adresse appartient à un membre de l’équipe, un lien de connexion vient d’y être envoyé. Il ne fonctionne qu’une fois et pour quelques minutes." }
            }))
        },
    )
}

pub fn confirm(csrf: &str, token: &str) -> Markup {
    page(
        "Se connecter",
        html! {
            h1 { "Se connecter" }
            p { "Appuyez sur le bouton pour ouvrir votre session." }
            form method="post" action={ "/connexion/" (token) } {
                (csrf_field(csrf))
                button.fr-btn type="submit" { "Me connecter" }
            }
        },
    )
}

pub fn invalid() -> Markup {
    page(
        "Lien de connexion non valide",
        html! {
            h1 { "Lien de connexion non valide" }
            p { "Ce lien a déjà servi, a expiré ou n’est pas reconnu." }
            a.fr-btn href="/connexion" { "Demander un nouveau lien" }
        },
    )
}
