//! The staff area's pages: sign-in, dashboard, participant lists, figures,
//! moderation, and the admin pages (groups, staff, audit log).

pub mod admin;
pub mod groups;
pub mod signin;

use maud::{Markup, html};

use super::{components::csrf_field, layout::page};
use crate::staff::StaffMember;

/// A staff page: the public frame, with the staff navigation first in the content
/// (never hidden in a collapsible menu, so it works without JavaScript).
pub fn staff_page(title: &str, member: &StaffMember, csrf: &str, main: Markup) -> Markup {
    page(
        title,
        html! {
            nav.fr-mb-4w aria-label="Espace équipe" {
                ul.fr-btns-group.fr-btns-group--inline-md.fr-btns-group--sm {
                    li { a.fr-btn.fr-btn--tertiary href="/equipe" { "Tableau de bord" } }
                    @if member.is_admin() {
                        li { a.fr-btn.fr-btn--tertiary href="/equipe/moderation" { "Modération" } }
                        li { a.fr-btn.fr-btn--tertiary href="/equipe/admin/groupes" { "Groupes" } }
                        li { a.fr-btn.fr-btn--tertiary href="/equipe/admin/equipe" { "Équipe" } }
                        li { a.fr-btn.fr-btn--tertiary href="/equipe/admin/personnes" { "Personnes" } }
                        li { a.fr-btn.fr-btn--tertiary href="/equipe/admin/journal" { "Journal" } }
                    }
                    li {
                        form method="post" action="/equipe/deconnexion" {
                            (csrf_field(csrf))
                            button.fr-btn.fr-btn--secondary type="submit" { "Se déconnecter" }
                        }
                    }
                }
                p.fr-text--sm { "Connecté·e : " (member.email) " (" (member.role.label()) ")" }
            }
            (main)
        },
    )
}
