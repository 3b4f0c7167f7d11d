//! The real binary under load, killed with SIGKILL or stopped with SIGTERM, and
//! an SMTP outage in the middle of sign-ups: nothing acknowledged is lost, nothing
//! is duplicated, every confirmation email is delivered.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::helpers::*;
use reqwest::StatusCode;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// `inscriptions serve` as its own process, on a free port.
struct Server {
    child: Child,
    address: String,
    /// What the server printed on stdout (its logs included).
    output: Arc<Mutex<Vec<String>>>,
}

impl Server {
    async fn start(db: &Path, smtp_port: u16) -> Self {
        Self::start_with(db, smtp_port, &[]).await
    }

    async fn start_with(db: &Path, smtp_port: u16, env: &[(&str, &str)]) -> Self {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut command = Command::new(env!("CARGO_BIN_EXE_inscriptions"));
        command
            .arg("serve")
            .env("INSCRIPTIONS__SERVER__BIND", "127.0.0.1:0")
            .env(
                "INSCRIPTIONS__SERVER__SECRET",
                "a-test-secret-of-at-least-32-characters",
            )
            .env(
                "INSCRIPTIONS__SERVER__DSFR_DIR",
                format!("{root}/node_modules/@gouvfr/dsfr/dist"),
            )
            .env("INSCRIPTIONS__SERVER__STATIC_DIR", format!("{root}/static"))
            .env(
                "INSCRIPTIONS__MAIL__TEMPLATES_DIR",
                format!("{root}/templates"),
            )
            .env(
                "INSCRIPTIONS__DATABASE__URL",
                format!("sqlite://{}", db.display()),
            )
            .env("INSCRIPTIONS__MAIL__TRANSPORT", "smtp")
            .env("INSCRIPTIONS__MAIL__SMTP__PORT", smtp_port.to_string())
            .env("INSCRIPTIONS__MAIL__WORKER__POLL_INTERVAL_MS", "100")
            .env("INSCRIPTIONS__MAIL__WORKER__RETRY_BASE_SECONDS", "1")
            .env("INSCRIPTIONS__MAIL__WORKER__RETRY_MAX_SECONDS", "1")
            .env("INSCRIPTIONS__RATE_LIMIT__PER_MINUTE", "1000000")
            .env("INSCRIPTIONS__RATE_LIMIT__BURST", "1000000")
            .env("RUST_LOG", "warn");
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let output = Arc::new(Mutex::new(Vec::new()));
        let address = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                output.lock().unwrap().push(line.clone());
                if let Some(rest) = line.strip_prefix("inscriptions : ") {
                    return rest.split_whitespace().next().unwrap().to_owned();
                }
            }
            panic!("the server stopped before listening");
        })
        .await
        .expect("the server listens within 30 s");
        // Keep reading, so the pipe never fills up.
        let kept = output.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                kept.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            address,
            output,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }
}

/// Sign-ups from `clients` concurrent visitors until `stop`; returns the addresses
/// whose sign-up was acknowledged with a 303, and the statuses seen.
async fn load(
    address: String,
    clients: usize,
    stop: Arc<tokio::sync::Notify>,
) -> (Vec<String>, HashMap<u16, usize>) {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let statuses = Arc::new(Mutex::new(HashMap::new()));
    let mut tasks = Vec::new();
    for client_n in 0..clients {
        let (address, acknowledged, statuses, stop) = (
            address.clone(),
            acknowledged.clone(),
            statuses.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let path = format!("{address}/groupes/{GROUP_1}/inscription");
            let Ok(page) = client.get(&path).send().await else {
                return;
            };
            let token = extract_csrf(&page.text().await.unwrap()).unwrap();
            let stopped = stop.notified();
            tokio::pin!(stopped);
            for n in 0.. {
                let email = format!("charge{client_n}-{n}@mairie.fr");
                let mut body = valid_fields(&email);
                body.push(("csrf_token", token.clone()));
                let result = tokio::select! {
                    result = client.post(&path).form(&body).send() => result,
                    _ = &mut stopped => return,
                };
                match result {
                    Ok(response) => {
                        *statuses
                            .lock()
                            .unwrap()
                            .entry(response.status().as_u16())
                            .or_insert(0) += 1;
                        if response.status() == StatusCode::SEE_OTHER {
                            acknowledged.lock().unwrap().push(email);
                        }
                    }
                    // The server is gone: nothing was acknowledged for this one.
                    Err(_) => return,
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let statuses = statuses.lock().unwrap().clone();
    (acknowledged, statuses)
}

async fn open(db: &Path) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap()
}

async fn wait_for_addresses(maildev: &Maildev, wanted: &HashSet<String>) -> Vec<serde_json::Value> {
    for _ in 0..300 {
        let emails = maildev.emails().await;
        let received: HashSet<String> = emails
            .iter()
            .filter_map(|e| e["to"][0]["address"].as_str().map(str::to_owned))
            .collect();
        if wanted.is_subset(&received) {
            return emails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let emails = maildev.emails().await;
    panic!(
        "{} of {} confirmation emails delivered",
        emails.len(),
        wanted.len()
    );
}

#[tokio::test]
async fn after_a_sigkill_every_acknowledged_sign_up_is_kept_once_and_its_email_delivered() {
    let maildev = Maildev::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut server = Server::start(&db, maildev.smtp_port).await;

    let stop = Arc::new(tokio::sync::Notify::new());
    let load = tokio::spawn(load(server.address.clone(), 6, stop.clone()));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.start_kill().unwrap(); // SIGKILL: no chance to tidy up
    server.child.wait().await.unwrap();
    stop.notify_waiters();
    let (acknowledged, _) = load.await.unwrap();
    assert!(
        acknowledged.len() >= 10,
        "the load made progress: {}",
        acknowledged.len()
    );

    let _restarted = Server::start(&db, maildev.smtp_port).await;
    let pool = open(&db).await;
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let stored: Vec<(String, i64)> = sqlx::query_as(
        "SELECT p.email, COUNT(*) FROM registrations r JOIN registrants p ON p.id = r.registrant_id GROUP BY p.email",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let stored: HashMap<String, i64> = stored.into_iter().collect();
    for email in &acknowledged {
        assert_eq!(
            stored.get(email),
            Some(&1),
            "{email} acknowledged but not stored exactly once"
        );
    }
    let emails_per_registration: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'confirmation'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        emails_per_registration,
        stored.len() as i64,
        "each stored sign-up has exactly one queued email"
    );

    let wanted: HashSet<String> = acknowledged.into_iter().collect();
    wait_for_addresses(&maildev, &wanted).await;
}

#[tokio::test]
async fn sigterm_finishes_the_requests_in_flight_and_leaves_the_outbox_consistent() {
    let maildev = Maildev::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("term.db");
    let mut server = Server::start(&db, maildev.smtp_port).await;

    let stop = Arc::new(tokio::sync::Notify::new());
    let load = tokio::spawn(load(server.address.clone(), 6, stop.clone()));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let term = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = tokio::time::timeout(Duration::from_secs(20), server.child.wait())
        .await
        .expect("stops within 20 s")
        .unwrap();
    assert!(status.success(), "clean exit: {status:?}");
    stop.notify_waiters();
    let (acknowledged, statuses) = load.await.unwrap();
    assert!(
        statuses.keys().all(|s| *s == 303),
        "only 303s: {statuses:?}"
    );

    let pool = open(&db).await;
    let registrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        registrations,
        acknowledged.len() as i64,
        "every processed request got its answer"
    );
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        queued, registrations,
        "one email per sign-up, none half-written"
    );
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test]
async fn an_smtp_outage_during_sign_ups_delays_but_delivers_each_email_exactly_once() {
    let mut maildev = Maildev::start().await;
    let app = spawn_app_with(Options {
        config: maildev.config(),
        worker: true,
    })
    .await;
    let mut signed_up = HashSet::new();
    for n in 0..30 {
        if n == 10 {
            maildev.stop();
        }
        if n == 20 {
            maildev.spawn().await;
        }
        let email = format!("panne{n}@mairie.fr");
        let response = app.sign_up(GROUP_1, &valid_fields(&email)).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-up {n} while the server is {}",
            if (10..20).contains(&n) { "down" } else { "up" }
        );
        signed_up.insert(email);
    }
    // Retries wait on the application's clock: move it past any backoff.
    for _ in 0..200 {
        app.clock.advance(time::Duration::seconds(5));
        app.state.outbox_wake.notify_one();
        if maildev.emails().await.len() >= signed_up.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A little longer, to see a duplicate if one were coming.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let emails = maildev.emails().await;
    let ids: Vec<&str> = emails
        .iter()
        .map(|e| e["headers"]["message-id"].as_str().unwrap())
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "no Message-ID delivered twice");
    let received: HashSet<String> = emails
        .iter()
        .map(|e| e["to"][0]["address"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(received, signed_up, "every confirmation delivered");
    assert_eq!(ids.len(), signed_up.len());
    let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE attempts > 1")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(
        failures >= 1,
        "some emails needed a retry during the outage"
    );
}

#[tokio::test]
async fn json_logs_carry_the_request_id_and_no_personal_data() {
    let maildev = Maildev::start().await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        &dir.path().join("logs.db"),
        maildev.smtp_port,
        &[("INSCRIPTIONS__LOG__FORMAT", "json"), ("RUST_LOG", "info")],
    )
    .await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let path = format!("{}/groupes/{GROUP_1}/inscription", server.address);
    let token = extract_csrf(
        &client
            .get(&path)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let mut body = valid_fields("personne.tracee@mairie.fr");
    body.push(("csrf_token", token));
    let response = client.post(&path).form(&body).send().await.unwrap();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    maildev.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let lines = server.output.lock().unwrap().clone();
    let logs: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(!logs.is_empty(), "JSON lines: {lines:?}");
    let recorded = logs
        .iter()
        .find(|l| l["fields"]["message"] == "inscription enregistrée")
        .expect("the sign-up is logged");
    assert_eq!(
        recorded["span"]["request_id"],
        request_id.as_str(),
        "{recorded}"
    );
    for line in &lines {
        for personal in ["personne.tracee", "Élodie", "N’Diaye", "Saint-Étienne"] {
            assert!(
                !line.contains(personal),
                "personal data in the logs: {line}"
            );
        }
    }
}
