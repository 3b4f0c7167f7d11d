//! Error pages, in the site's style. They never show the cause of an internal
//! error: that goes to the log.

use maud::{Markup, html};

use super::layout::page;

fn error_page(title: &str, code: u16, lead: &str, detail: &str) -> Markup {
    page(
        title,
        html! {
            div.fr-grid-row.fr-grid-row--center {
                div.fr-col-12.fr-col-md-8 {
                    h1 { (title) }
                    p.fr-text--sm.fr-mb-3w { "Erreur " (code) }
                    p.fr-text--lead.fr-mb-3w { (lead) }
                    p.fr-text--sm.fr-mb-5w { (detail) }
                    ul.fr-btns-group.fr-btns-group--inline-md {
                        li { a.fr-btn href="/" { "Page d’accueil" } }
                    }
                }
            }
        },
    )
}

pub fn not_found() -> Markup {
    error_page(
        "Page non trouvée",
        404,
        "La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.",
        "Si vous avez tapé l’adresse web dans le navigateur, vérifiez qu’elle est correcte. La page n’est peut-être plus disponible. Dans ce cas, pour continuer votre visite, vous pouvez consulter notre page d’accueil.",
    )
}

pub fn internal() -> Markup {
    error_page(
        "Erreur inattendue",
        500,
        "Désolé, le service rencontre un problème, nous travaillons pour le résoudre le plus rapidement possible.",
        "Essayez de rafraîchir la page ou bien réessayez plus tard. Rien n’a été enregistré à moitié : si vous envoyiez un formulaire, vous pouvez le renvoyer.",
    )
}

pub fn unavailable() -> Markup {
    error_page(
        "Service momentanément indisponible",
        503,
        "Le service est très sollicité ou en maintenance : votre demande n’a pas pu être traitée.",
        "Rien n’a été enregistré. Réessayez dans quelques instants.",
    )
}

pub fn forbidden_form() -> Markup {
    error_page(
        "Formulaire expiré",
        403,
        "Votre formulaire n’a pas pu être vérifié : il a peut-être été ouvert il y a longtemps, ou envoyé depuis un autre site.",
        "Revenez à la page du formulaire, rechargez-la puis envoyez-le de nouveau. Si vos cookies sont désactivés, activez-les pour ce site.",
    )
}

pub fn bad_request() -> Markup {
    error_page(
        "Demande illisible",
        400,
        "Les données envoyées n’ont pas pu être lues : elles contiennent peut-être des caractères non valides.",
        "Revenez au formulaire, vérifiez votre saisie et envoyez-le de nouveau.",
    )
}

pub fn payload_too_large() -> Markup {
    error_page(
        "Envoi trop volumineux",
        413,
        "Les données envoyées dépassent la taille autorisée.",
        "Revenez au formulaire, raccourcissez votre saisie et envoyez-le de nouveau.",
    )
}

pub fn too_many_requests() -> Markup {
    error_page(
        "Trop de demandes",
        429,
        "Vous avez envoyé beaucoup de demandes en peu de temps.",
        "Patientez une minute puis réessayez.",
    )
}
