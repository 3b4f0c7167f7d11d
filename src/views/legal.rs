//! Legal pages: accessibility, legal notice, personal data; and the personal-data
//! notice shown under every form (RGPD art. 13). Operator details come from the
//! `[legal]` settings and retention periods from `[retention]`, the same numbers
//! the retention job uses.

use maud::{Markup, html};

use super::layout::page;
use crate::config::Config;

/// A setting the operator must fill in, shown honestly when they have not.
fn or_unset(value: &str) -> &str {
    if value.trim().is_empty() {
        "à renseigner par l’exploitant"
    } else {
        value
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
    let r = &config.retention;
    page(
        "Données personnelles",
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-10.fr-col-lg-8 {
                h1 { "Données personnelles" }
                h2 { "Responsable du traitement" }
                p { (config.legal.operator) } p { "Adresse : " (or_unset(&config.legal.operator_address)) }
                p { "Délégué à la protection des données : " (or_unset(&config.legal.dpo_contact)) }
                h2 { "Finalité et base légale" }
                p { "Les données servent à inscrire les agents et élus des collectivités aux groupes projets du programme « Transformation numérique des territoires », à vérifier leur adresse électronique et à permettre aux copilotes de chaque groupe de les contacter pour les travaux. Ce traitement est nécessaire à l’exécution d’une mission d’intérêt public (article 6.1.e du RGPD)." }
                h2 { "Données traitées" }
                ul {
                    li { "prénom, nom, adresse électronique et, si vous le donnez, numéro de téléphone ;" }
                    li { "votre rôle (agent ou élu·e) et votre fonction ;" }
                    li { "votre collectivité ou organisme : type, nom et code officiel ;" }
                    li { "les dates d’inscription, de confirmation et de retrait." }
                }
                h2 { "Destinataires" }
                p { "Les copilotes du groupe projet auquel vous êtes inscrit·e, et les administrateurs de la plateforme. Les données ne sont ni vendues ni transmises à d’autres tiers, et ne sont pas transférées hors de l’Union européenne." }
                h2 { "Durées de conservation" }
                ul {
                    li { "inscription jamais confirmée : effacée " (r.unconfirmed_days) " jours après la demande ;" }
                    li { "inscription retirée : effacée " (r.withdrawn_days) " jours après le retrait ;" }
                    li { "autres inscriptions : effacées " (r.closed_group_months) " mois après la clôture du groupe projet." }
                }
                p { "Ces durées sont appliquées automatiquement chaque jour par la plateforme." }
                h2 { "Vos droits" }
                p { "Vous disposez d’un droit d’accès, de rectification, d’effacement, de limitation et d’opposition. Le lien reçu par courriel ouvre votre espace, où vous pouvez consulter vos inscriptions et vous retirer ; pour toute autre demande, écrivez à " (contact(config)) "." }
                p { "Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de l’informatique et des libertés (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07." }
                h2 { "Cookies" }
                p { "Ce site ne dépose qu’un cookie technique, nécessaire à la sécurité des formulaires. Il n’utilise aucun cookie de mesure d’audience ni de publicité : aucun consentement n’est donc demandé." }
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
                p { (legal.operator) } p { "Adresse : " (or_unset(&legal.operator_address)) }
                h2 { "Directeur ou directrice de la publication" }
                p { (or_unset(&legal.publication_director)) }
                h2 { "Hébergement" }
                p { (or_unset(&legal.host_name)) } p { "Adresse : " (or_unset(&legal.host_address)) }
                h2 { "Contact" }
                p { (contact(config)) }
                h2 { "Design" }
                p { "Ce site utilise le Système de design de l’État (DSFR), réservé aux sites des services de l’État." }
            } }
        },
    )
}

pub fn accessibility(config: &Config) -> Markup {
    page(
        "Accessibilité",
        html! {
            div.fr-grid-row { div.fr-col-12.fr-col-md-10.fr-col-lg-8 {
                h1 { "Déclaration d’accessibilité" }
                p { (config.legal.operator) " s’engage à rendre ce service accessible, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005." }
                h2 { "État de conformité" }
                p { "Ce site est " strong { "non conforme" } " au référentiel général d’amélioration de l’accessibilité (RGAA) : il n’a pas encore fait l’objet d’un audit de conformité." }
                p { "Il est construit avec le Système de design de l’État, fonctionne sans JavaScript, et ses formulaires relient chaque erreur à son champ." }
                h2 { "Retour d’information et contact" }
                p { "Si vous n’arrivez pas à accéder à un contenu ou à un service, écrivez à " (contact(config)) " pour être orienté·e vers une alternative accessible ou obtenir le contenu sous une autre forme." }
                h2 { "Voies de recours" }
                p { "Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou une fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au Défenseur des droits :" }
                ul {
                    li { "par le formulaire de contact en ligne du Défenseur des droits ;" }
                    li { "auprès du délégué du Défenseur des droits dans votre région ;" }
                    li { "par courrier (gratuit, sans affranchissement) : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07." }
                }
            } }
        },
    )
}
