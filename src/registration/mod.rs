//! The registration lifecycle as registrants live it: sign up (and sign up again),
//! confirm the address, ask for the link again, open their page, withdraw.
//!
//! Every change and the email it causes are written in one transaction, so there
//! is never a registration without its email, nor an email for a change that was
//! rolled back.

pub mod form;
pub mod retention;

use sqlx::{SqliteConnection, SqlitePool};

use crate::{
    clock::format_paris,
    db::{
        self,
        groups::Group,
        links::{self, Purpose},
        outbox::{self, OutgoingEmail},
        registrations::{self, OwnRegistration},
    },
    domain::{NewRegistration, RegistrationState},
    mail::Var,
    state::AppState,
    token,
};

/// Records a sign-up to `group` (and to the collaborative space if asked), then
/// queues the email for its owner. The answer to the visitor is the same whatever
/// happened, so nobody learns whether an address is registered:
/// - new registrations start `pending_email` and the email asks to confirm them;
/// - a withdrawn registration is re-opened with the new details, to confirm again;
/// - a registration still waiting for confirmation gets a fresh link;
/// - a registration already confirmed (or decided) is left as it is, and its owner
///   is told they are already registered.
pub async fn sign_up(
    state: &AppState,
    group: &Group,
    space: Option<&Group>,
    details: &NewRegistration,
) -> Result<(), sqlx::Error> {
    // Sign-ups go through the group-commit writer: the answer comes once the
    // registration and its email are committed, with others of the same moment.
    let (job_state, group, space, details) = (
        state.clone(),
        group.clone(),
        space.cloned(),
        details.clone(),
    );
    let group_id = group.id;
    let registrant_id = state
        .writer
        .run(move |conn| {
            Box::pin(async move {
                record_sign_up(&job_state, conn, &group, space.as_ref(), &details).await
            })
        })
        .await?;
    state.outbox_wake.notify_one();
    tracing::info!(registrant_id, group_id, "inscription enregistrée");
    Ok(())
}

/// The writes of a sign-up, inside the caller's transaction; returns the registrant.
async fn record_sign_up(
    state: &AppState,
    conn: &mut SqliteConnection,
    group: &Group,
    space: Option<&Group>,
    details: &NewRegistration,
) -> Result<i64, sqlx::Error> {
    let now = state.clock.unix();
    let registrant_id = registrations::upsert_registrant(conn, details.email.as_str(), now).await?;

    let mut to_confirm: Vec<(i64, String)> = Vec::new();
    let mut already: Vec<String> = Vec::new();
    for target in std::iter::once(group).chain(space.filter(|s| s.id != group.id)) {
        if let Some(id) =
            registrations::insert_if_new(conn, registrant_id, target.id, details, now).await?
        {
            to_confirm.push((id, target.full_title()));
            continue;
        }
        match registrations::find(conn, registrant_id, target.id).await? {
            // Gone between the two statements: cannot happen inside the transaction.
            None => {}
            Some((id, RegistrationState::Withdrawn)) => {
                registrations::reopen(conn, id, details, now).await?;
                to_confirm.push((id, target.full_title()));
            }
            Some((id, RegistrationState::PendingEmail)) => {
                to_confirm.push((id, target.full_title()))
            }
            Some((_, _)) => already.push(target.full_title()),
        }
    }
    let email = if to_confirm.is_empty() {
        let manage_url = new_manage_link(state, conn, registrant_id, now).await?;
        let rendered = state.templates.render(
            "already_registered",
            &[
                ("groups", Var::List(already)),
                ("manage_url", Var::Text(manage_url)),
            ],
        );
        outgoing("already_registered", details.email.as_str(), rendered)
    } else {
        confirmation_email(
            state,
            conn,
            "confirmation",
            registrant_id,
            details.email.as_str(),
            &to_confirm,
            now,
        )
        .await?
    };
    outbox::enqueue(conn, &email, &state.message_id_domain(), now).await?;
    Ok(registrant_id)
}

/// What a confirmation link gave.
pub enum Confirmation {
    /// The link is unknown (mistyped, forged, or its registrant was erased).
    Unknown,
    /// The link is past its date: the page offers a new one.
    Expired,
    /// The registrations the link names, now confirmed (or already confirmed
    /// before: a second click is harmless), and a link to the registrant's page.
    Confirmed {
        registrations: Vec<OwnRegistration>,
        manage_path: String,
    },
}

pub async fn confirm(state: &AppState, token_text: &str) -> Result<Confirmation, sqlx::Error> {
    if !token::is_well_formed(token_text) {
        return Ok(Confirmation::Unknown);
    }
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    let Some(link) = links::find(&mut tx, Purpose::Confirm, &token::hash(token_text)).await? else {
        return Ok(Confirmation::Unknown);
    };
    if link.is_expired(now) {
        return Ok(Confirmation::Expired);
    }
    let ids = links::registrations_of(&mut tx, link.id).await?;
    let confirmed = registrations::confirm(&mut tx, &ids, now).await?;
    links::mark_used(&mut tx, link.id, now).await?;
    let manage = token::generate();
    links::insert(
        &mut tx,
        Purpose::Manage,
        &manage.hash,
        link.registrant_id,
        &[],
        now,
        now + manage_ttl(state),
    )
    .await?;
    let registrations =
        registrations::of_registrant_by_ids(&mut tx, link.registrant_id, &ids).await?;
    tx.commit().await?;
    tracing::info!(link_id = link.id, confirmed, "lien de confirmation utilisé");
    Ok(Confirmation::Confirmed {
        registrations,
        manage_path: format!("/mes-inscriptions/{}", manage.text),
    })
}

/// Sends the owner of an expired confirmation link a fresh one. Returns false if
/// the link is unknown.
pub async fn renew_confirmation(state: &AppState, token_text: &str) -> Result<bool, sqlx::Error> {
    if !token::is_well_formed(token_text) {
        return Ok(false);
    }
    let mut conn = state.db.acquire().await?;
    let Some(link) = links::find(&mut conn, Purpose::Confirm, &token::hash(token_text)).await?
    else {
        return Ok(false);
    };
    drop(conn);
    send_link_to_registrant(state, link.registrant_id).await?;
    Ok(true)
}

/// "Re-send my link": if the address is a registrant's, emails them a link to
/// confirm what is still waiting, or to their page. Silent otherwise, and the
/// visitor sees the same answer either way.
pub async fn resend_link(state: &AppState, email: &str) -> Result<(), sqlx::Error> {
    let mut conn = state.db.acquire().await?;
    let registrant_id = registrations::registrant_by_email(&mut conn, email).await?;
    drop(conn);
    if let Some(registrant_id) = registrant_id {
        send_link_to_registrant(state, registrant_id).await?;
    }
    Ok(())
}

async fn send_link_to_registrant(state: &AppState, registrant_id: i64) -> Result<(), sqlx::Error> {
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    let Some(email) = registrations::registrant_email(&mut tx, registrant_id).await? else {
        return Ok(());
    };
    let pending: Vec<(i64, String)> = registrations::of_registrant(&mut tx, registrant_id)
        .await?
        .into_iter()
        .filter(|r| r.state() == RegistrationState::PendingEmail)
        .map(|r| (r.id, r.group_full_title()))
        .collect();
    let outgoing_email = if pending.is_empty() {
        let manage_url = new_manage_link(state, &mut tx, registrant_id, now).await?;
        let rendered = state
            .templates
            .render("access_link", &[("manage_url", Var::Text(manage_url))]);
        outgoing("access_link", &email, rendered)
    } else {
        confirmation_email(
            state,
            &mut tx,
            "confirmation",
            registrant_id,
            &email,
            &pending,
            now,
        )
        .await?
    };
    outbox::enqueue(&mut tx, &outgoing_email, &state.message_id_domain(), now).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    tracing::info!(registrant_id, "lien renvoyé");
    Ok(())
}

/// The registrant behind a link to their page.
pub enum Access {
    Unknown,
    Expired,
    Granted { registrant_id: i64 },
}

pub async fn open_manage_link(
    pool: &SqlitePool,
    now: i64,
    token_text: &str,
) -> Result<Access, sqlx::Error> {
    if !token::is_well_formed(token_text) {
        return Ok(Access::Unknown);
    }
    let mut conn = pool.acquire().await?;
    Ok(
        match links::find(&mut conn, Purpose::Manage, &token::hash(token_text)).await? {
            None => Access::Unknown,
            Some(link) if link.is_expired(now) => Access::Expired,
            Some(link) => Access::Granted {
                registrant_id: link.registrant_id,
            },
        },
    )
}

pub async fn registrations_of(
    pool: &SqlitePool,
    registrant_id: i64,
) -> Result<Vec<OwnRegistration>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    registrations::of_registrant(&mut conn, registrant_id).await
}

/// Withdraws one of the registrant's registrations. The row stays, in state
/// `withdrawn`: copilots see who left, and retention erases it later.
pub async fn withdraw(
    state: &AppState,
    registrant_id: i64,
    registration_id: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = db::begin_write(&state.db).await?;
    let done = registrations::withdraw(&mut tx, registrant_id, registration_id, state.clock.unix())
        .await?;
    tx.commit().await?;
    if done {
        tracing::info!(registration_id, "inscription retirée");
    }
    Ok(done)
}

/// Corrects the details of one of the registrant's registrations. The address is
/// the registrant's identity and is not changed here: to use another address, one
/// signs up with it.
pub async fn update_details(
    state: &AppState,
    registrant_id: i64,
    registration_id: i64,
    details: &NewRegistration,
) -> Result<bool, sqlx::Error> {
    let mut tx = db::begin_write(&state.db).await?;
    let done = registrations::update_details(
        &mut tx,
        registrant_id,
        registration_id,
        details,
        state.clock.unix(),
    )
    .await?;
    tx.commit().await?;
    if done {
        tracing::info!(registration_id, "coordonnées modifiées");
    }
    Ok(done)
}

/// Everything we hold about a registrant, for them to download (RGPD art. 15 and 20).
pub async fn personal_data(
    pool: &SqlitePool,
    registrant_id: i64,
) -> Result<serde_json::Value, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let email = registrations::registrant_email(&mut conn, registrant_id).await?;
    let registrations = registrations::of_registrant(&mut conn, registrant_id).await?;
    let iso = |unix: i64| {
        time::OffsetDateTime::from_unix_timestamp(unix)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
    };
    Ok(serde_json::json!({
        "adresse_electronique": email,
        "inscriptions": registrations.iter().map(|r| serde_json::json!({
            "groupe": r.group_full_title(),
            "etat": r.state().label(),
            "prenom": r.first_name,
            "nom": r.last_name,
            "role": crate::domain::Role::parse(&r.role).map(|role| role.label()),
            "fonction": r.function,
            "collectivite": {
                "type": crate::domain::AuthorityKind::parse(&r.authority_kind).map(|k| k.label()),
                "nom": r.authority_name,
                "code_officiel": r.authority_code,
            },
            "telephone": r.phone,
            "inscrit_le": iso(r.created_at),
            "confirme_le": r.confirmed_at.and_then(iso),
            "retire_le": r.withdrawn_at.and_then(iso),
        })).collect::<Vec<_>>(),
    }))
}

/// Erases the registrant and everything about them, at their request. Only an
/// anonymous count of the erasure stays.
pub async fn erase(state: &AppState, registrant_id: i64) -> Result<i64, sqlx::Error> {
    let mut tx = db::begin_write(&state.db).await?;
    let count =
        registrations::erase_registrant(&mut tx, registrant_id, "self_service", state.clock.unix())
            .await?;
    tx.commit().await?;
    tracing::info!(
        registrations = count,
        "données effacées à la demande de la personne"
    );
    Ok(count)
}

/// The email asking to confirm `to_confirm`, with a fresh confirmation link and a
/// link to the registrant's page. `template` is `confirmation`, or
/// `reconfirmation` for registrations brought over from Airtable.
pub(crate) async fn confirmation_email(
    state: &AppState,
    conn: &mut SqliteConnection,
    template: &'static str,
    registrant_id: i64,
    recipient: &str,
    to_confirm: &[(i64, String)],
    now: i64,
) -> Result<OutgoingEmail, sqlx::Error> {
    let confirm = token::generate();
    let manage = token::generate();
    let expires_at = now + i64::from(state.config.registration.confirmation_link_hours) * 3600;
    let ids: Vec<i64> = to_confirm.iter().map(|(id, _)| *id).collect();
    links::insert_confirm_and_manage(
        conn,
        registrant_id,
        &ids,
        (&confirm.hash, expires_at),
        (&manage.hash, now + manage_ttl(state)),
        now,
    )
    .await?;
    let manage_url = state.url(&format!("/mes-inscriptions/{}", manage.text));
    let rendered = state.templates.render(
        template,
        &[
            (
                "groups",
                Var::List(to_confirm.iter().map(|(_, title)| title.clone()).collect()),
            ),
            (
                "confirm_url",
                Var::Text(state.url(&format!("/confirmation/{}", confirm.text))),
            ),
            ("confirm_expiry", Var::Text(format_paris(expires_at))),
            ("manage_url", Var::Text(manage_url)),
        ],
    );
    Ok(outgoing(template, recipient, rendered))
}

async fn new_manage_link(
    state: &AppState,
    conn: &mut SqliteConnection,
    registrant_id: i64,
    now: i64,
) -> Result<String, sqlx::Error> {
    let manage = token::generate();
    links::insert(
        conn,
        Purpose::Manage,
        &manage.hash,
        registrant_id,
        &[],
        now,
        now + manage_ttl(state),
    )
    .await?;
    Ok(state.url(&format!("/mes-inscriptions/{}", manage.text)))
}

fn manage_ttl(state: &AppState) -> i64 {
    i64::from(state.config.registration.manage_link_days) * 86_400
}

fn outgoing(
    kind: &'static str,
    recipient: &str,
    rendered: crate::mail::templates::Rendered,
) -> OutgoingEmail {
    OutgoingEmail {
        kind,
        recipient: recipient.to_owned(),
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
    }
}

/// A decision of moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// Approves or refuses registrations (confirmed ones, or earlier decisions being
/// changed), emails each registrant the decision through the outbox, and writes
/// each to the audit log, all in one transaction. Returns how many changed.
pub async fn decide(
    state: &AppState,
    staff_id: i64,
    ids: &[i64],
    decision: Decision,
    reason: Option<&str>,
) -> Result<usize, sqlx::Error> {
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    let mut changed = 0;
    for id in ids {
        let (new_state, template) = match decision {
            Decision::Approve => ("approved", "decision_approved"),
            Decision::Reject => ("rejected", "decision_rejected"),
        };
        let row: Option<(i64, i64, String, String, Option<i64>, String)> = sqlx::query_as(
            "UPDATE registrations SET state = ?, decided_at = ?, updated_at = ?, decision_reason = ?
             WHERE id = ? AND state IN ('confirmed', 'approved', 'rejected') AND state != ?
               AND group_id IN (SELECT id FROM groups WHERE requires_approval = 1)
             RETURNING registrant_id, group_id,
                       (SELECT email FROM registrants WHERE id = registrant_id),
                       (SELECT kind FROM groups WHERE id = group_id),
                       (SELECT number FROM groups WHERE id = group_id),
                       (SELECT title FROM groups WHERE id = group_id)",
        )
        .bind(new_state)
        .bind(now)
        .bind(now)
        .bind(reason.filter(|_| decision == Decision::Reject))
        .bind(id)
        .bind(new_state)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((registrant_id, group_id, email, kind, number, title)) = row else {
            continue;
        };
        let group_title = db::groups::full_title(&kind, number, &title);
        let manage_url = new_manage_link(state, &mut tx, registrant_id, now).await?;
        let mut vars = vec![
            ("group", Var::Text(group_title)),
            ("manage_url", Var::Text(manage_url)),
        ];
        if decision == Decision::Reject {
            let reason = reason.map(|r| format!("Motif : {r}")).unwrap_or_default();
            vars.push(("reason", Var::Text(reason)));
        }
        let rendered = state.templates.render(template, &vars);
        outbox::enqueue(
            &mut tx,
            &outgoing(template, &email, rendered),
            &state.message_id_domain(),
            now,
        )
        .await?;
        crate::staff::audit::record(
            &mut tx,
            now,
            Some(staff_id),
            "decision",
            Some(group_id),
            Some(*id),
            serde_json::json!({ "decision": new_state, "motif": reason.is_some() && decision == Decision::Reject }),
        )
        .await?;
        changed += 1;
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(changed)
}
