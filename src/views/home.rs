//! The home page: the source document's page, rebuilt on the DSFR, with our own
//! sign-up buttons instead of the Airtable links.

use maud::{Markup, html};

use super::layout::page;
use crate::db::groups::Group;

pub fn home(groups: &[Group]) -> Markup {
    let space = groups.iter().find(|g| g.is_space());
    let projects = groups.iter().filter(|g| !g.is_space());
    page(
        "Les groupes projets",
        html! {
            h1 { "Les groupes projets" }
            p.fr-text--lead {
                "Les ministres et les associations d’élus ont décidé d’engager trois premiers « groupes projet » reposant sur les principes de : copilotage entre l’État et les collectivités et des résultats concrets et rapides."
            }
            p { "Tous les « groupes projets » sont ouverts aux agents ou élus de collectivités territoriales qui souhaitent participer à ces travaux." }
            @if let Some(space) = space {
                div.fr-callout.fr-mb-6w {
                    h2.fr-callout__title { (space.title) }
                    p.fr-callout__text { (space.objective) }
                    a.fr-btn href={ "/groupes/" (space.slug) "/inscription" } {
                        "S’inscrire à l’espace collaboratif"
                    }
                }
            }
            @for group in projects {
                section.fr-mb-6w aria-labelledby={ "groupe-" (group.slug) } {
                    h2 #{ "groupe-" (group.slug) } { (group.full_title()) }
                    ul {
                        li { strong { "Objectif :" } " " (group.objective) }
                        @if !group.copilots.is_empty() {
                            li { strong { "Copilotes :" } " " (group.copilots) }
                        }
                    }
                    a.fr-btn href={ "/groupes/" (group.slug) "/inscription" }
                        title={ "S’inscrire pour participer à ce groupe projet — " (group.full_title()) } {
                        "S’inscrire pour participer à ce groupe projet"
                    }
                }
            }
            p {
                "Déjà inscrit·e ? "
                a.fr-link href="/mes-inscriptions" { "Retrouvez, modifiez ou retirez vos inscriptions" }
            }
        },
    )
}
