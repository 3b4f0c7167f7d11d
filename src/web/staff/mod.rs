//! The staff area. Its routes are data ([`routes`]): each says who may use it, the
//! router is built from that list, and the authorisation-matrix test walks the same
//! list, so no route can be added without being checked.
//!
//! Who may do what: anonymous visitors are sent to `/connexion`; a copilot reads
//! only the groups assigned to them, and anything else (another group, an admin
//! page) answers 404, never 403, so guessing URLs learns nothing; admins may do
//! everything.

mod admin;
mod groups;
mod signin;

use axum::{
    Router,
    extract::FromRequestParts,
    http::{Method, request::Parts},
    response::{IntoResponse, Redirect, Response},
    routing::{MethodRouter, get, post},
};

use super::{error::AppError, security::read_cookie};
use crate::{staff::StaffMember, state::AppState};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (the sign-in pages).
    Public,
    /// Any signed-in staff member.
    Staff,
    /// Staff who may read the group named in the path (`{slug}`).
    GroupReader,
    /// Admins only.
    Admin,
}

/// A route of the staff area.
#[derive(Debug, Clone)]
pub struct StaffRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

fn route(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> (StaffRoute, MethodRouter<AppState>) {
    (
        StaffRoute {
            method,
            path,
            access,
        },
        handler,
    )
}

/// Every route of the staff area, with its access rule and its handler.
fn routes() -> Vec<(StaffRoute, MethodRouter<AppState>)> {
    use Access::*;
    vec![
        route(Method::GET, "/connexion", Public, get(signin::form)),
        route(
            Method::POST,
            "/connexion",
            Public,
            post(signin::request_link),
        ),
        route(Method::GET, "/connexion/envoyee", Public, get(signin::sent)),
        route(
            Method::GET,
            "/connexion/{token}",
            Public,
            get(signin::confirm),
        ),
        route(
            Method::POST,
            "/connexion/{token}",
            Public,
            post(signin::sign_in),
        ),
        route(
            Method::POST,
            "/equipe/deconnexion",
            Staff,
            post(signin::sign_out),
        ),
        route(Method::GET, "/equipe", Staff, get(groups::dashboard)),
        route(
            Method::POST,
            "/equipe/preferences",
            Staff,
            post(groups::preferences),
        ),
        route(
            Method::GET,
            "/equipe/groupes/{slug}",
            GroupReader,
            get(groups::participants),
        ),
        route(
            Method::GET,
            "/equipe/groupes/{slug}/export.csv",
            GroupReader,
            get(groups::export),
        ),
        route(
            Method::GET,
            "/equipe/groupes/{slug}/chiffres",
            GroupReader,
            get(groups::figures),
        ),
        route(
            Method::GET,
            "/equipe/groupes/{slug}/inscriptions/{id}",
            GroupReader,
            get(groups::registration),
        ),
        route(
            Method::GET,
            "/equipe/moderation",
            Admin,
            get(admin::moderation),
        ),
        route(
            Method::POST,
            "/equipe/moderation",
            Admin,
            post(admin::decide),
        ),
        route(
            Method::GET,
            "/equipe/admin/groupes",
            Admin,
            get(admin::groups),
        ),
        route(
            Method::POST,
            "/equipe/admin/groupes",
            Admin,
            post(admin::create_group),
        ),
        route(
            Method::GET,
            "/equipe/admin/groupes/nouveau",
            Admin,
            get(admin::new_group),
        ),
        route(
            Method::GET,
            "/equipe/admin/groupes/{slug}",
            Admin,
            get(admin::edit_group),
        ),
        route(
            Method::POST,
            "/equipe/admin/groupes/{slug}",
            Admin,
            post(admin::update_group),
        ),
        route(
            Method::POST,
            "/equipe/admin/groupes/{slug}/deplacer",
            Admin,
            post(admin::move_group),
        ),
        route(
            Method::GET,
            "/equipe/admin/equipe",
            Admin,
            get(admin::staff),
        ),
        route(
            Method::POST,
            "/equipe/admin/equipe",
            Admin,
            post(admin::add_staff),
        ),
        route(
            Method::POST,
            "/equipe/admin/equipe/{id}",
            Admin,
            post(admin::update_staff),
        ),
        route(
            Method::POST,
            "/equipe/admin/equipe/{id}/retirer",
            Admin,
            post(admin::remove_staff),
        ),
        route(
            Method::GET,
            "/equipe/admin/journal",
            Admin,
            get(admin::journal),
        ),
        route(
            Method::GET,
            "/equipe/admin/personnes",
            Admin,
            get(admin::person),
        ),
        route(
            Method::POST,
            "/equipe/admin/personnes/donnees",
            Admin,
            post(admin::person_data),
        ),
        route(
            Method::POST,
            "/equipe/admin/personnes/effacer",
            Admin,
            post(admin::erase_person),
        ),
    ]
}

/// The list of routes and their access rules (for the authorisation tests).
pub fn table() -> Vec<StaffRoute> {
    routes().into_iter().map(|(route, _)| route).collect()
}

pub fn router() -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, (route, handler)| {
            router.route(route.path, handler)
        })
}

pub(crate) fn session_cookie_name(state: &AppState) -> &'static str {
    if state.config.is_https() {
        "__Host-session"
    } else {
        "session"
    }
}

/// The signed-in staff member; anonymous visitors are sent to the sign-in page.
pub struct Staff(pub StaffMember);

/// Why a staff extractor refused.
pub enum Refusal {
    SignIn,
    Error(AppError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn => Redirect::to("/connexion").into_response(),
            Self::Error(error) => error.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(session) = read_cookie(&parts.headers, session_cookie_name(state)) else {
            return Err(Refusal::SignIn);
        };
        match crate::staff::auth::session_member(
            &state.db,
            session,
            state.clock.unix(),
            &state.config.staff,
        )
        .await
        {
            Ok(Some(member)) => Ok(Self(member)),
            Ok(None) => Err(Refusal::SignIn),
            Err(error) => Err(Refusal::Error(error.into())),
        }
    }
}

/// A signed-in admin; a copilot gets 404, as if the page did not exist.
pub struct Admin(pub StaffMember);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Staff(member) = Staff::from_request_parts(parts, state).await?;
        if member.is_admin() {
            Ok(Self(member))
        } else {
            Err(Refusal::Error(AppError::NotFound))
        }
    }
}
