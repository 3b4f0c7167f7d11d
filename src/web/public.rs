//! Public pages: the home page, each group's sign-up form, and the legal pages.

use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use maud::Markup;

use super::{error::AppError, form::FormInput, security::CsrfToken};
use crate::{
    db::{self, groups::Group},
    registration::{self, form::SignUpForm},
    state::AppState,
    views::{self, components::FormErrors, sign_up::AuthorityPicker},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route(
            "/groupes/{slug}/inscription",
            get(show_form).post(submit_form),
        )
        .route("/inscription/envoyee", get(sent))
        .route("/api/collectivites", get(search_authorities))
        .route("/accessibilite", get(accessibility))
        .route("/mentions-legales", get(legal_notice))
        .route("/donnees-personnelles", get(personal_data))
}

async fn home(State(state): State<AppState>) -> Result<Markup, AppError> {
    let groups = db::groups::list(&state.db).await?;
    Ok(views::home::home(&groups))
}

/// The group and, unless the group is the space itself, the space to offer.
async fn load_group(state: &AppState, slug: &str) -> Result<(Group, Option<Group>), AppError> {
    let mut conn = state.db.acquire().await?;
    let (group, space) = db::groups::with_space(&mut conn, slug).await?;
    let group = group.ok_or(AppError::NotFound)?;
    let space = if group.is_space() {
        None
    } else {
        space.filter(|space| space.is_open)
    };
    Ok((group, space))
}

/// Why a group takes no sign-up now, if it does not.
async fn closed_reason(state: &AppState, group: &Group) -> Result<Option<&'static str>, AppError> {
    if !group.is_open || group.closes_at.is_some_and(|at| at <= state.clock.unix()) {
        return Ok(Some("Les inscriptions à ce groupe sont closes"));
    }
    if let Some(capacity) = group.capacity {
        let (taken,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM registrations WHERE group_id = ? AND state IN ('confirmed', 'approved')",
        )
        .bind(group.id)
        .fetch_one(&state.db)
        .await?;
        if taken >= capacity {
            return Ok(Some("Ce groupe est complet"));
        }
    }
    Ok(None)
}

async fn show_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    csrf: CsrfToken,
) -> Result<Markup, AppError> {
    let (group, space) = load_group(&state, &slug).await?;
    if let Some(reason) = closed_reason(&state, &group).await? {
        return Ok(views::sign_up::closed(&group, reason));
    }
    Ok(views::sign_up::form(
        &state.config,
        &group,
        space.as_ref(),
        &SignUpForm::default(),
        &FormErrors::default(),
        &AuthorityPicker::default(),
        &csrf.0,
    ))
}

async fn submit_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    csrf: CsrfToken,
    FormInput(form): FormInput<SignUpForm>,
) -> Result<Response, AppError> {
    let (group, space) = load_group(&state, &slug).await?;
    if let Some(reason) = closed_reason(&state, &group).await? {
        return Ok((StatusCode::CONFLICT, views::sign_up::closed(&group, reason)).into_response());
    }
    if form.is_authority_search() {
        // Without JavaScript: the same form again, with the hits to choose from and
        // everything else as typed. Nothing is checked or stored yet.
        let picker = AuthorityPicker {
            hits: Some(state.referentiel.search(&form.authority_query, SEARCH_HITS)),
            query: form.authority_query.clone(),
            chosen: None,
        };
        let page = views::sign_up::form(
            &state.config,
            &group,
            space.as_ref(),
            &form,
            &FormErrors::default(),
            &picker,
            &csrf.0,
        );
        return Ok(page.into_response());
    }
    match form.parse(&state.referentiel) {
        Ok(registration) => {
            let space = space.filter(|_| form.wants_space());
            registration::sign_up(&state, &group, space.as_ref(), &registration).await?;
            Ok(Redirect::to("/inscription/envoyee").into_response())
        }
        Err(errors) => {
            // Keep the authority picked from the list, and show its values in the fields.
            let chosen = form.chosen_authority(&state.referentiel);
            let mut form = form;
            if let Some(hit) = &chosen {
                form.authority_kind = hit.kind.as_str().into();
                form.authority_name = hit.name.clone();
                form.authority_code = hit.code.clone();
            }
            let picker = AuthorityPicker {
                query: form.authority_query.clone(),
                hits: None,
                chosen,
            };
            let page = views::sign_up::form(
                &state.config,
                &group,
                space.as_ref(),
                &form,
                &errors,
                &picker,
                &csrf.0,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Hits shown for a search without JavaScript.
const SEARCH_HITS: usize = 20;

#[derive(serde::Deserialize)]
struct AuthoritySearch {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
}

/// The authority search for the autocomplete: `{"results": [hit…]}`.
async fn search_authorities(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<AuthoritySearch>,
) -> Response {
    let limit = query
        .limit
        .unwrap_or(10)
        .clamp(1, crate::referentiel::MAX_LIMIT);
    let results = state.referentiel.search(&query.q, limit);
    (
        [(axum::http::header::CACHE_CONTROL, "public, max-age=3600")],
        axum::Json(serde_json::json!({ "results": results })),
    )
        .into_response()
}

async fn sent(csrf: CsrfToken) -> Markup {
    views::sign_up::sent(&csrf.0)
}

async fn accessibility(State(state): State<AppState>) -> Markup {
    views::legal::accessibility(&state.config)
}

async fn legal_notice(State(state): State<AppState>) -> Markup {
    views::legal::legal_notice(&state.config)
}

async fn personal_data(State(state): State<AppState>) -> Markup {
    views::legal::personal_data(&state.config)
}
