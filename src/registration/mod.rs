//! The registration lifecycle as registrants live it: sign up (and sign up again),
//! confirm the address, ask for the link again, open their page, withdraw.
//!
//! Every change and the email it causes are written in one transaction, so there
//! is never a registration without its email, nor an email for a change that was
//! rolled back.

pub mod form;
pub mod retention;

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use sqlx::{SqliteConnection, SqlitePool};

use crate::{
    clock::format_paris,
    db::{
        self,
        groups::Group,
        links::{self, ConfirmLink, NewLinks, Purpose},
        outbox::{self, OutgoingEmail, WithLinks},
        registrations::{self, OwnRegistration, SignUpRow},
        writer::Writer,
    },
    domain::{NewRegistration, RegistrationState},
    mail::{Templates, Var},
    state::AppState,
    token,
};

/// The group-commit writer that sign-ups go through (see [`db::writer`]).
pub type SignUpWriter = Writer<PreparedSignUp, i64>;

/// Starts the sign-up writer on `pool`.
pub fn start_writer(
    pool: SqlitePool,
    templates: Arc<Templates>,
    message_id_domain: String,
) -> SignUpWriter {
    Writer::start(
        pool,
        Arc::new(move |conn, sign_ups| {
            let (templates, domain) = (templates.clone(), message_id_domain.clone());
            Box::pin(async move { record_sign_ups(&templates, &domain, conn, sign_ups).await })
        }),
    )
}

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
    let targets: Vec<&Group> = std::iter::once(group)
        .chain(space.filter(|s| s.id != group.id))
        .collect();
    // Everything that needs no database is done here, in the request's own task:
    // the writer runs one batch at a time, so its time is the scarce one.
    let now = state.clock.unix();
    let links = FreshLinks::new(state, now);
    let titles: Vec<String> = targets.iter().map(|g| g.full_title()).collect();
    let usual_email = confirmation(
        &state.templates,
        "confirmation",
        details.email.as_str(),
        &links,
        titles.clone(),
    );
    let registrant_id = state
        .sign_ups
        .submit(PreparedSignUp {
            group_ids: targets.iter().map(|g| g.id).collect(),
            titles,
            details: details.clone(),
            links,
            usual_email,
            now,
        })
        .await?;
    state.outbox_wake.notify_one();
    tracing::info!(
        registrant_id,
        group_id = group.id,
        "inscription enregistrée"
    );
    Ok(())
}

/// A sign-up made ready outside the writer: its links drawn and the email of the
/// usual outcome (every registration new) rendered.
pub struct PreparedSignUp {
    group_ids: Vec<i64>,
    /// The groups' titles, in the order of `group_ids`.
    titles: Vec<String>,
    details: NewRegistration,
    links: FreshLinks,
    usual_email: OutgoingEmail,
    now: i64,
}

/// What a sign-up comes to: the email to queue and the registrations its
/// confirmation link names (none if there is nothing to confirm).
struct Outcome<'a> {
    registrant_id: i64,
    email: Cow<'a, OutgoingEmail>,
    to_confirm: Vec<i64>,
}

/// The writes of a batch of sign-ups, inside the writer's transaction; returns
/// each one's registrant. The usual case (nobody of the batch registered to any
/// of their groups yet) is two calls to SQLite for the whole batch; the others
/// look at what is there first, one by one.
async fn record_sign_ups(
    templates: &Templates,
    message_id_domain: &str,
    conn: &mut SqliteConnection,
    sign_ups: &[PreparedSignUp],
) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<SignUpRow> = sign_ups
        .iter()
        .map(|s| SignUpRow {
            group_ids: &s.group_ids,
            details: &s.details,
            now: s.now,
        })
        .collect();
    // A registration is unique per address and group: each created one is
    // claimed by the first sign-up of the batch for that address and group.
    let mut created: HashMap<(String, i64), registrations::Created> =
        registrations::insert_new(conn, &rows)
            .await?
            .into_iter()
            .map(|c| ((c.email.clone(), c.group_id), c))
            .collect();

    let mut outcomes = Vec::with_capacity(sign_ups.len());
    for sign_up in sign_ups {
        let email = sign_up.details.email.as_str();
        let mine: Vec<registrations::Created> = sign_up
            .group_ids
            .iter()
            .filter_map(|group_id| created.remove(&(email.to_owned(), *group_id)))
            .collect();
        let outcome = if mine.len() == sign_up.group_ids.len() {
            Outcome {
                registrant_id: mine[0].registrant_id,
                email: Cow::Borrowed(&sign_up.usual_email),
                to_confirm: mine.iter().map(|c| c.id).collect(),
            }
        } else {
            unusual_sign_up(templates, conn, sign_up, &mine).await?
        };
        outcomes.push(outcome);
    }

    let queued: Vec<WithLinks> = sign_ups
        .iter()
        .zip(&outcomes)
        .map(|(sign_up, outcome)| {
            sign_up.links.with_email(
                &outcome.email,
                outcome.registrant_id,
                &outcome.to_confirm,
                sign_up.now,
            )
        })
        .collect();
    outbox::enqueue_with_links(conn, &queued, message_id_domain).await?;
    Ok(outcomes.iter().map(|o| o.registrant_id).collect())
}

/// A sign-up for which not every registration was new: `created` are those that
/// were; for each other group, what is there decides.
async fn unusual_sign_up<'a>(
    templates: &Templates,
    conn: &mut SqliteConnection,
    sign_up: &'a PreparedSignUp,
    created: &[registrations::Created],
) -> Result<Outcome<'a>, sqlx::Error> {
    let email = sign_up.details.email.as_str();
    let registrant_id = match created.first() {
        Some(c) => c.registrant_id,
        None => registrations::registrant_by_email(conn, email)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?,
    };
    let mut to_confirm: Vec<(i64, String)> = Vec::new();
    let mut already: Vec<String> = Vec::new();
    for (group_id, title) in sign_up.group_ids.iter().zip(&sign_up.titles) {
        if let Some(c) = created.iter().find(|c| c.group_id == *group_id) {
            to_confirm.push((c.id, title.clone()));
            continue;
        }
        match registrations::find(conn, registrant_id, *group_id).await? {
            // Gone between the two statements: cannot happen inside the transaction.
            None => {}
            Some((id, RegistrationState::Withdrawn)) => {
                registrations::reopen(conn, id, &sign_up.details, sign_up.now).await?;
                to_confirm.push((id, title.clone()));
            }
            Some((id, RegistrationState::PendingEmail)) => to_confirm.push((id, title.clone())),
            Some((_, _)) => already.push(title.clone()),
        }
    }
    let email = if to_confirm.is_empty() {
        let rendered = templates.render(
            "already_registered",
            &[
                ("groups", Var::List(already)),
                ("manage_url", Var::Text(sign_up.links.manage_url.clone())),
            ],
        );
        Cow::Owned(outgoing("already_registered", email, rendered))
    } else if to_confirm.len() == sign_up.group_ids.len() {
        Cow::Borrowed(&sign_up.usual_email)
    } else {
        let titles = to_confirm.iter().map(|(_, title)| title.clone()).collect();
        Cow::Owned(confirmation(
            templates,
            "confirmation",
            email,
            &sign_up.links,
            titles,
        ))
    };
    Ok(Outcome {
        registrant_id,
        email,
        to_confirm: to_confirm.into_iter().map(|(id, _)| id).collect(),
    })
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
    let Some(link) = links::find(&mut tx, Purpose::Confirm, token_text).await? else {
        return Ok(Confirmation::Unknown);
    };
    if link.is_expired(now) {
        return Ok(Confirmation::Expired);
    }
    let ids = links::registrations_of(&mut tx, link.id).await?;
    let confirmed = registrations::confirm(&mut tx, &ids, now).await?;
    links::mark_used(&mut tx, link.id, now).await?;
    let manage = token::generate_link();
    links::insert(
        &mut tx,
        Purpose::Manage,
        &manage.hash,
        link.registrant_id,
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
    let Some(link) = links::find(&mut conn, Purpose::Confirm, token_text).await? else {
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
    let links = FreshLinks::new(state, now);
    let (ids, titles): (Vec<i64>, Vec<String>) = pending.into_iter().unzip();
    let outgoing_email = if ids.is_empty() {
        let rendered = state.templates.render(
            "access_link",
            &[("manage_url", Var::Text(links.manage_url.clone()))],
        );
        outgoing("access_link", &email, rendered)
    } else {
        confirmation(&state.templates, "confirmation", &email, &links, titles)
    };
    queue(
        state,
        &mut tx,
        &outgoing_email,
        &links,
        registrant_id,
        &ids,
        now,
    )
    .await?;
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
        match links::find(&mut conn, Purpose::Manage, token_text).await? {
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

/// The links of one email, drawn before anything is written: the token texts go
/// in the email, only their hashes are stored (by [`queue`]).
pub(crate) struct FreshLinks {
    confirm: token::NewToken,
    confirm_url: String,
    confirm_expires_at: i64,
    manage: token::NewToken,
    manage_url: String,
    manage_expires_at: i64,
}

impl FreshLinks {
    pub(crate) fn new(state: &AppState, now: i64) -> Self {
        let confirmation_hours = i64::from(state.config.registration.confirmation_link_hours);
        let (confirm, manage) = (token::generate_link(), token::generate_link());
        Self {
            confirm_url: state.url(&format!("/confirmation/{}", confirm.text)),
            confirm,
            confirm_expires_at: now + confirmation_hours * 3600,
            manage_url: state.url(&format!("/mes-inscriptions/{}", manage.text)),
            manage,
            manage_expires_at: now + manage_ttl(state),
        }
    }

    /// `email` to queue with these links; the confirmation link is stored only
    /// if `to_confirm` names registrations.
    fn with_email<'a>(
        &'a self,
        email: &'a OutgoingEmail,
        registrant_id: i64,
        to_confirm: &'a [i64],
        now: i64,
    ) -> WithLinks<'a> {
        WithLinks {
            email,
            links: NewLinks {
                registrant_id,
                manage: (&self.manage.hash, self.manage_expires_at),
                confirm: (!to_confirm.is_empty()).then_some(ConfirmLink {
                    token_hash: &self.confirm.hash,
                    expires_at: self.confirm_expires_at,
                    registrations: to_confirm,
                }),
            },
            now,
        }
    }
}

/// The email asking to confirm the registrations to `groups` (their titles), with
/// the confirmation link and a link to the registrant's page. `template` is
/// `confirmation`, or `reconfirmation` for registrations brought over from Airtable.
pub(crate) fn confirmation(
    templates: &Templates,
    template: &'static str,
    recipient: &str,
    links: &FreshLinks,
    groups: Vec<String>,
) -> OutgoingEmail {
    let rendered = templates.render(
        template,
        &[
            ("groups", Var::List(groups)),
            ("confirm_url", Var::Text(links.confirm_url.clone())),
            (
                "confirm_expiry",
                Var::Text(format_paris(links.confirm_expires_at)),
            ),
            ("manage_url", Var::Text(links.manage_url.clone())),
        ],
    );
    outgoing(template, recipient, rendered)
}

/// Queues `email` with the links it carries: the page link always, the
/// confirmation link if `to_confirm` names registrations.
pub(crate) async fn queue(
    state: &AppState,
    conn: &mut SqliteConnection,
    email: &OutgoingEmail,
    links: &FreshLinks,
    registrant_id: i64,
    to_confirm: &[i64],
    now: i64,
) -> Result<(), sqlx::Error> {
    let queued = links.with_email(email, registrant_id, to_confirm, now);
    outbox::enqueue_with_links(conn, &[queued], &state.message_id_domain()).await
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
        let links = FreshLinks::new(state, now);
        let mut vars = vec![
            ("group", Var::Text(group_title)),
            ("manage_url", Var::Text(links.manage_url.clone())),
        ];
        if decision == Decision::Reject {
            let reason = reason.map(|r| format!("Motif : {r}")).unwrap_or_default();
            vars.push(("reason", Var::Text(reason)));
        }
        let rendered = state.templates.render(template, &vars);
        let email = outgoing(template, &email, rendered);
        queue(state, &mut tx, &email, &links, registrant_id, &[], now).await?;
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
