//! Legal pages: accessibility, legal notice, personal data; and the personal-data
//! notice shown under every form (RGPD art. 13). Operator details come from the
//! `[legal]` settings and retention periods from `[retention]`, the same numbers
//! the retention job uses.

use maud::{Markup, html};

use super::layout::page;
use crate::config::Config;

/// The state of conformity, shown in the footer and in the declaration: one value,
/// so the two cannot disagree. « non conforme » until an RGAA audit is done.
pub const CONFORMITY: &str = "non conforme";

/// A setting the operator must fill in, shown honestly when they have not.
fn or_unset(value: &str) -> &str {
    if value.trim().is_empty() {
        "à renseigner par l’exploitant"
    } else {
        value
    }
}

/// The operator's name at the start of a sentence (it is set as « l’équipe … »).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn contact(config: &Config) -> Markup {
    let email = config.legal.contact_email.trim();
    html! {
        @if email.is_empty() { (or_unset(email)) }
        @else { a href={ "mailto:" (email) } { (email) } }
    }
}

/// The notice under each form: who, why, on what basis, for how long, rights.
pub fn privacy_notice(config: &Config) -> Markup {
    let r = &config.retention;
    html! {
        section.fr-mt-6w.fr-text--sm aria-labelledby="notice-donnees" {
            h2.fr-h6 #notice-donnees { "Vos données personnelles" }
            p {
                "Les informations de ce formulaire sont traitées par " (config.legal.operator)
                " pour organiser les travaux du groupe projet : vous inscrire, confirmer votre adresse et permettre aux copilotes du groupe de vous contacter. "
                "Ce traitement relève de la mission d’intérêt public du programme (article 6.1.e du RGPD). "
                "Seuls les copilotes du groupe et les administrateurs de la plateforme y ont accès."
            }
            p {
                "Une inscription non confirmée est effacée après " (r.unconfirmed_days) " jours, une inscription retirée après " (r.withdrawn_days)
                " jours, et les inscriptions d’un groupe " (r.closed_group_months) " mois après sa clôture."
            }
            p {
                "Vous pouvez accéder à vos données, les rectifier, les effacer ou vous opposer à leur traitement depuis le lien reçu par courriel, ou en écrivant à "
                (contact(config)) ". Vous pouvez aussi adresser une réclamation à la CNIL. "
                a href="/donnees-personnelles" { "En savoir plus sur vos données" }
            }
        }
    }
}

pub fn personal_data(config: &Config) -> Markup {
    let legal = &config.legal;
    let r = &config.retention;
    page(
        "Données personnelles",
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-10.fr-col-lg-8 {
                h1 { "Données personnelles" }
                p.fr-text--lead { "Ce que nous faisons des informations que vous donnez en vous inscrivant à un groupe projet, et comment exercer vos droits (article 13 du règlement général sur la protection des données, RGPD)." }

                h2 { "Responsable du traitement" }
                p { (capitalised(&legal.operator)) }
                ul {
                    li { "adresse : " (or_unset(&legal.operator_address)) }
                    li { "contact : " (contact(config)) }
                    li { "délégué à la protection des données : " (or_unset(&legal.dpo_contact)) }
                }

                h2 { "Finalités" }
                p { "Vos données servent à :" }
                ul {
                    li { "enregistrer votre inscription aux groupes projets du programme « Transformation numérique des territoires » que vous choisissez ;" }
                    li { "vérifier votre adresse électronique, par un lien de confirmation ;" }
                    li { "permettre aux copilotes de chaque groupe de vous contacter pour ses travaux ;" }
                    li { "vous donner accès à votre espace, où vous consultez, modifiez, retirez ou effacez vos inscriptions." }
                }
                p { "Elles ne servent à rien d’autre : ni prospection, ni profilage, ni décision automatisée." }

                h2 { "Base légale" }
                p { "Le traitement est nécessaire à l’exécution d’une mission d’intérêt public dont est investi le responsable du traitement (article 6, paragraphe 1, point e du RGPD) : l’animation des travaux conduits par l’État et les collectivités territoriales." }

                h2 { "Données traitées" }
                ul {
                    li { "prénom, nom et adresse électronique ;" }
                    li { "numéro de téléphone, seulement si vous le donnez ;" }
                    li { "votre rôle (agent ou élu·e) et votre fonction ;" }
                    li { "votre collectivité ou organisme : type, nom et, si vous le donnez, code officiel ;" }
                    li { "les groupes choisis et les dates d’inscription, de confirmation, de modification et de retrait." }
                }
                p { "Ces informations viennent de vous seul·e. Les champs marqués obligatoires sont nécessaires pour vous inscrire : sans eux, l’inscription ne peut pas être enregistrée. Le téléphone et le code officiel sont facultatifs." }
                p { "Pour protéger les formulaires contre les envois en masse, l’adresse IP de votre connexion est gardée en mémoire quelques minutes au plus ; elle n’est pas enregistrée avec votre inscription." }

                h2 { "Destinataires" }
                ul {
                    li { "les copilotes du ou des groupes projets auxquels vous êtes inscrit·e ;" }
                    li { "les administrateurs de la plateforme ;" }
                    li { "l’hébergeur du site (" (or_unset(&legal.host_name)) "), qui les conserve pour notre compte, sans pouvoir les utiliser pour lui-même." }
                }
                p { "Les données ne sont ni vendues ni cédées, et ne sont pas transférées hors de l’Union européenne." }

                h2 { "Durées de conservation" }
                p { "La plateforme efface elle-même les données, par une vérification automatique toutes les heures :" }
                ul {
                    li { "une inscription jamais confirmée est effacée " (r.unconfirmed_days) " jours après la demande ;" }
                    li { "une inscription retirée est effacée " (r.withdrawn_days) " jours après le retrait ;" }
                    li { "les autres inscriptions sont gardées tant que le groupe projet est ouvert, puis effacées " (r.closed_group_months) " mois (de 30 jours) après sa clôture ;" }
                    li { "quand vous n’avez plus aucune inscription, votre adresse et vos liens personnels sont effacés avec la dernière ;" }
                    li { "le texte des courriels que nous vous envoyons est effacé dès leur envoi, et la trace de l’envoi " (r.unconfirmed_days) " jours plus tard." }
                }
                p { "Vous pouvez aussi tout effacer vous-même, à tout moment, depuis votre espace." }

                h2 { "Vos droits" }
                p { "Vous disposez d’un droit d’accès, de rectification, d’effacement et de limitation du traitement de vos données, et du droit de vous opposer à leur traitement. Le lien reçu par courriel ouvre votre espace, où vous pouvez, sans rien demander à personne :" }
                ul {
                    li { "consulter vos inscriptions et télécharger toutes vos données (fichier JSON) ;" }
                    li { "corriger vos informations ;" }
                    li { "vous retirer d’un groupe ;" }
                    li { "effacer définitivement toutes vos données." }
                }
                p {
                    "Vous avez perdu le courriel ? "
                    a href="/mes-inscriptions" { "Recevez un nouveau lien" }
                    ". Pour toute autre demande, écrivez à " (contact(config)) "."
                }
                p { "Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de l’informatique et des libertés (CNIL), en ligne sur cnil.fr ou par courrier : CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07." }

                h2 { "Cookies" }
                // The name web::security gives the anti-forgery cookie.
                p { "Ce site dépose un seul cookie, nommé « " (if config.is_https() { "__Host-csrf" } else { "csrf" }) " », strictement nécessaire à la sécurité des formulaires : il empêche un autre site d’envoyer un formulaire en votre nom. Il ne contient aucune information sur vous et disparaît quand vous fermez votre navigateur. Le site n’utilise aucun cookie de mesure d’audience ni de publicité : aucun consentement n’est donc demandé." }
            } }
        },
    )
}

pub fn legal_notice(config: &Config) -> Markup {
    let legal = &config.legal;
    page(
        "Mentions légales",
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-10.fr-col-lg-8 {
                h1 { "Mentions légales" }
                h2 { "Éditeur" }
                p { "Ce site est édité par " (legal.operator) "." }
                ul {
                    li { "adresse : " (or_unset(&legal.operator_address)) }
                    li { "contact : " (contact(config)) }
                }
                h2 { "Directeur ou directrice de la publication" }
                p { (or_unset(&legal.publication_director)) }
                h2 { "Hébergement" }
                ul {
                    li { "hébergeur : " (or_unset(&legal.host_name)) }
                    li { "adresse : " (or_unset(&legal.host_address)) }
                }
                h2 { "Données personnelles et cookies" }
                p { "Voir la page " a href="/donnees-personnelles" { "Données personnelles" } "." }
                h2 { "Accessibilité" }
                p { "Voir la " a href="/accessibilite" { "déclaration d’accessibilité" } "." }
                h2 { "Réutilisation des contenus" }
                p { "Sauf mention contraire, les contenus de ce site sont proposés sous licence ouverte etalab-2.0 : vous pouvez les réutiliser en citant leur source." }
                h2 { "Design" }
                p { "Ce site utilise le Système de design de l’État (DSFR), dont l’usage est réservé aux sites des services de l’État." }
            } }
        },
    )
}

/// Versions of the tools named in the accessibility declaration; a test below
/// checks them against `package.json`, so the page cannot drift from the tests.
const AXE_CORE_VERSION: &str = "4.14.1";
const PLAYWRIGHT_CORE_VERSION: &str = "1.65.1";
/// When the declaration was written; update it with each new evaluation.
const DECLARATION_DATE: &str = "28 novembre 2026";

/// The pages the browser tests visit and audit (tests/browser/).
const TESTED_PAGES: &[&str] = &[
    "la page d’accueil",
    "le formulaire d’inscription d’un groupe, vide et renvoyé avec des erreurs",
    "la page « Vérifiez votre messagerie »",
    "la page de confirmation de l’inscription",
    "l’espace de la personne inscrite (« Mes inscriptions ») et ses pages : retrait, modification, effacement des données",
    "la demande d’un nouveau lien (« Retrouver mes inscriptions »), avec et sans erreur",
    "les pages Accessibilité, Mentions légales et Données personnelles",
    "la page d’erreur « Page non trouvée »",
];

pub fn accessibility(config: &Config) -> Markup {
    let operator = &config.legal.operator;
    page(
        "Accessibilité",
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-10.fr-col-lg-8 {
                h1 { "Déclaration d’accessibilité" }
                p { (capitalised(operator)) " s’engage à rendre ses services numériques accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005." }
                p { "Cette déclaration d’accessibilité s’applique au site « Inscriptions aux groupes projets » du programme Transformation numérique des territoires." }

                h2 { "État de conformité" }
                p { "Ce site est " strong { (CONFORMITY) } " avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1.2 : il n’a pas encore fait l’objet d’un audit de conformité, et ne peut donc déclarer aucun taux de conformité." }

                h2 { "Ce qui a été vérifié" }
                p { "En attendant un audit complet, le site est vérifié automatiquement à chaque modification de son code, dans un vrai navigateur :" }
                ul {
                    li { "chaque page visitée est analysée par l’outil axe-core, sur les règles des niveaux A et AA des WCAG 2.1 (base du RGAA) ; toute anomalie détectée fait échouer ces tests ;" }
                    li { "l’inscription complète est parcourue à la souris, au clavier seul (touches Tabulation, Maj+Tabulation, Entrée, Espace), et avec JavaScript désactivé ;" }
                    li { "au clavier, sur tout le parcours d’inscription, chaque élément qui reçoit le focus doit être visible et signalé par un contour ;" }
                    li { "un formulaire envoyé avec des erreurs doit les résumer en haut de page, y placer le focus, relier chaque erreur à son champ et conserver la saisie ;" }
                    li { "chaque page est photographiée en largeur ordinateur (1280 pixels) et mobile (375 pixels) pour relecture." }
                }
                p { "Ces vérifications automatiques ne couvrent qu’une partie des critères du RGAA : la pertinence des textes de remplacement, des titres ou de l’ordre de lecture, par exemple, demandent un examen humain. Elles ne remplacent pas un audit." }

                h2 { "Établissement de cette déclaration" }
                p { "Cette déclaration a été établie le " (DECLARATION_DATE) "." }
                h3 { "Technologies utilisées" }
                ul { li { "HTML" } li { "CSS" } li { "JavaScript (facultatif : le site fonctionne sans)" } }
                h3 { "Environnement de test" }
                ul {
                    li { "navigateur Chromium de la distribution Debian, piloté par playwright-core " (PLAYWRIGHT_CORE_VERSION) " ;" }
                    li { "avec et sans JavaScript ;" }
                    li { "fenêtres de 1280 et de 375 pixels de large." }
                }
                h3 { "Outils pour évaluer l’accessibilité" }
                ul { li { "axe-core " (AXE_CORE_VERSION) ", règles WCAG 2.1 niveaux A et AA" } }
                h3 { "Pages du site ayant fait l’objet de la vérification" }
                ul { @for tested in TESTED_PAGES { li { (tested) } } }

                h2 { "Retour d’information et contact" }
                p { "Si vous n’arrivez pas à accéder à un contenu ou à un service, écrivez à " (contact(config)) " pour être orienté·e vers une alternative accessible ou obtenir le contenu sous une autre forme." }

                h2 { "Voies de recours" }
                p { "Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou une fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au Défenseur des droits. Plusieurs moyens sont à votre disposition :" }
                ul {
                    li { "écrire un message au Défenseur des droits, par le formulaire en ligne : " a href="https://formulaire.defenseurdesdroits.fr/" { "formulaire.defenseurdesdroits.fr" } " ;" }
                    li { "contacter le délégué du Défenseur des droits dans votre région : " a href="https://www.defenseurdesdroits.fr/saisir/delegues" { "liste des délégués" } " ;" }
                    li { "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07." }
                }
            } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declaration_names_the_tools_the_tests_use() {
        let manifest = include_str!("../../package.json");
        assert!(
            manifest.contains(&format!("\"axe-core\": \"{AXE_CORE_VERSION}\"")),
            "package.json pins axe-core {AXE_CORE_VERSION}"
        );
        assert!(
            manifest.contains(&format!(
                "\"playwright-core\": \"{PLAYWRIGHT_CORE_VERSION}\""
            )),
            "package.json pins playwright-core {PLAYWRIGHT_CORE_VERSION}"
        );
    }
}
