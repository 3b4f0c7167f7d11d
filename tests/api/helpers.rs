//! Test helpers that make tests read like the user's story: spawn the app, open a
//! form, sign up, read the outbox or the mailbox, follow a link.

#![allow(dead_code)]

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use inscriptions::{clock::Clock, config::Config, startup::Application, state::AppState};
use reqwest::{StatusCode, redirect::Policy};
use sqlx::SqlitePool;
use tokio::sync::watch;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub clock: Clock,
    pub mail_dir: PathBuf,
    _dir: tempfile::TempDir,
    shutdown: watch::Sender<bool>,
}

/// Options for [`spawn_app_with`].
#[derive(Default)]
pub struct Options {
    /// Extra TOML on top of the test defaults.
    pub config: String,
    /// Start the email worker (off by default: tests read the outbox instead).
    pub worker: bool,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = env!("CARGO_MANIFEST_DIR");
    let mail_dir = dir.path().join("emails");
    let base = format!(
        r#"
[server]
bind = "127.0.0.1:0"
dsfr_dir = "{root}/node_modules/@gouvfr/dsfr/dist"
static_dir = "{root}/static"
[database]
url = "sqlite://{db}"
synchronous = "normal"
[mail]
file_dir = "{mail}"
templates_dir = "{root}/templates"
[referentiel]
import_at_start = false
[rate_limit]
per_minute = 1000000
burst = 1000000
[mail.worker]
poll_interval_ms = 100
retry_base_seconds = 1
retry_max_seconds = 2
"#,
        db = dir.path().join("test.db").display(),
        mail = mail_dir.display(),
    );
    let config =
        Config::from_toml_overrides(&merge_toml(&base, &options.config)).expect("test config");
    let clock = Clock::manual(time::OffsetDateTime::now_utc());
    let app = Application::build(config, clock.clone())
        .await
        .expect("app builds");
    let address = format!("http://{}", app.address());
    let state = app.state().clone();
    let (shutdown, receiver) = watch::channel(false);
    let worker = options.worker;
    tokio::spawn(async move { app.run_with(receiver, worker).await.expect("app runs") });
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        state,
        clock,
        mail_dir,
        _dir: dir,
        shutdown,
    }
}

/// Two TOML snippets may name the same table; merge them as documents.
fn merge_toml(base: &str, extra: &str) -> String {
    let mut base: toml::Table = base.parse().expect("base toml");
    let extra: toml::Table = extra.parse().expect("extra toml");
    fn merge(into: &mut toml::Table, from: toml::Table) {
        for (key, value) in from {
            match (into.get_mut(&key), value) {
                (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
                (_, value) => {
                    into.insert(key, value);
                }
            }
        }
    }
    merge(&mut base, extra);
    base.to_string()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// The fields of a valid sign-up for `email`.
pub fn valid_fields(email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", "Élodie".into()),
        ("last_name", "N’Diaye".into()),
        ("email", email.into()),
        ("role", "elected".into()),
        ("function", "Maire".into()),
        ("authority_kind", "commune".into()),
        ("authority_name", "Saint-Étienne".into()),
        ("authority_code", "42218".into()),
        ("phone", "".into()),
    ]
}

pub const GROUP_1: &str = "agenda-transformation-numerique";
pub const SPACE: &str = "espace-collaboratif";

impl TestApp {
    pub fn pool(&self) -> &SqlitePool {
        &self.state.db
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    /// Opens a page and reads the anti-forgery token of its forms. The token
    /// belongs to the visitor's cookie, not to a page: from a page without a form,
    /// it is read from one that has one.
    pub async fn csrf_token(&self, path: &str) -> String {
        let (_, html) = self.get_html(path).await;
        match extract_csrf(&html) {
            Some(token) => token,
            None => {
                let (_, html) = self.get_html("/mes-inscriptions").await;
                extract_csrf(&html).expect("the link request page has a form")
            }
        }
    }

    /// Posts a form as the browser would after opening `page`.
    pub async fn post_form_from(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, String)],
    ) -> reqwest::Response {
        let token = self.csrf_token(page).await;
        let mut body: Vec<(&str, String)> = fields.to_vec();
        body.push(("csrf_token", token));
        self.client
            .post(self.url(action))
            .form(&body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn sign_up(&self, slug: &str, fields: &[(&str, String)]) -> reqwest::Response {
        let path = format!("/groupes/{slug}/inscription");
        self.post_form_from(&path, &path, fields).await
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(self.pool()).await.unwrap();
        n
    }

    pub async fn registration_states(&self) -> Vec<(String, String)> {
        sqlx::query_as(
            "SELECT g.slug, r.state FROM registrations r JOIN groups g ON g.id = r.group_id ORDER BY r.id",
        )
        .fetch_all(self.pool())
        .await
        .unwrap()
    }

    /// Every queued email's (recipient, subject, text body), oldest first.
    pub async fn outbox(&self) -> Vec<(String, String, String)> {
        sqlx::query_as("SELECT recipient, subject, body_text FROM outbox ORDER BY id")
            .fetch_all(self.pool())
            .await
            .unwrap()
    }

    /// The links of the last queued email: (confirmation link if any, registrant page link).
    pub async fn last_links(&self) -> (Option<String>, String) {
        let (_, _, body) = self.outbox().await.pop().expect("an email was queued");
        links_of(&body, &self.address)
    }

    /// A path of ours from an absolute link.
    pub fn path_of(&self, link: &str) -> String {
        link.strip_prefix(&self.address)
            .expect("our link")
            .to_owned()
    }
}

/// (confirmation link if any, registrant page link) found in an email body.
pub fn links_of(body: &str, address: &str) -> (Option<String>, String) {
    let links: Vec<String> = body
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .filter(|w| w.starts_with(address))
        .map(|w| w.replace("&amp;", "&"))
        .collect();
    let confirm = links.iter().find(|l| l.contains("/confirmation/")).cloned();
    let manage = links
        .iter()
        .find(|l| l.contains("/mes-inscriptions/"))
        .cloned()
        .expect("a link to the registrant's page");
    (confirm, manage)
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// maildev, a real SMTP server with an HTTP API, started for one test.
pub struct Maildev {
    pub smtp_port: u16,
    pub web_port: u16,
    child: Option<Child>,
    /// Where maildev keeps the emails, so a restart (an outage test) loses none.
    store: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Maildev {
    pub async fn start() -> Self {
        let mut maildev = Self {
            smtp_port: free_port(),
            web_port: free_port(),
            child: None,
            store: tempfile::tempdir().unwrap(),
        };
        maildev.spawn().await;
        maildev
    }

    /// (Re)starts the server on the same ports.
    pub async fn spawn(&mut self) {
        let root = env!("CARGO_MANIFEST_DIR");
        let child = Command::new("node")
            .arg(format!("{root}/node_modules/maildev/dist/bin/maildev.js"))
            .args([
                "--smtp",
                &self.smtp_port.to_string(),
                "--web",
                &self.web_port.to_string(),
            ])
            .args(["--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--silent"])
            .arg("--mail-directory")
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("maildev starts (run `npm ci` first)");
        self.child = Some(child);
        // Up to 30 s: a restart on a loaded machine can be slow.
        for _ in 0..300 {
            if reqwest::get(self.api("/api/email")).await.is_ok()
                && std::net::TcpStream::connect(("127.0.0.1", self.smtp_port)).is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("maildev did not start");
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn api(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.web_port, path)
    }

    /// The config snippet that sends through this server.
    pub fn config(&self) -> String {
        format!(
            "[mail]\ntransport = \"smtp\"\n[mail.smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\ntimeout_seconds = 2\n",
            self.smtp_port
        )
    }

    pub async fn emails(&self) -> Vec<serde_json::Value> {
        reqwest::get(self.api("/api/email"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits until `count` emails have arrived (or fails after 20 s).
    pub async fn wait_for(&self, count: usize) -> Vec<serde_json::Value> {
        for _ in 0..200 {
            let emails = self.emails().await;
            if emails.len() >= count {
                return emails;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {count} emails, got {}", self.emails().await.len());
    }
}

impl Drop for Maildev {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A browser-like client (cookies, no redirects).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

impl TestApp {
    /// Creates a staff member (admin or copilot of `groups`) and returns the
    /// member's id and a client signed in as them, through the real sign-in link.
    pub async fn staff_client(
        &self,
        email: &str,
        role: &str,
        groups: &[&str],
    ) -> (i64, reqwest::Client) {
        use inscriptions::staff::{self, StaffRole};
        let now = self.clock.unix();
        let mut tx = inscriptions::db::begin_write(self.pool()).await.unwrap();
        let id = staff::upsert(&mut tx, email, StaffRole::parse(role).unwrap(), now)
            .await
            .unwrap();
        let mut group_ids = Vec::new();
        for slug in groups {
            group_ids.push(
                inscriptions::db::groups::by_slug(&mut tx, slug)
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            );
        }
        staff::set_groups(&mut tx, id, &group_ids).await.unwrap();
        let token = staff::auth::issue_link(&mut tx, id, now, 900)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let client = new_client();
        let page = client
            .get(self.url(&format!("/connexion/{token}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = extract_csrf(&page).expect("a sign-in button");
        let response = client
            .post(self.url(&format!("/connexion/{token}")))
            .form(&[("csrf_token", csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed in");
        (id, client)
    }

    /// A client's anti-forgery token (read from a page with a form).
    pub async fn token_of(&self, client: &reqwest::Client) -> String {
        let page = client
            .get(self.url("/connexion"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        extract_csrf(&page).unwrap()
    }

    /// Signs up and confirms `email` to `slug`; returns the registration's id.
    pub async fn confirmed_registration(&self, slug: &str, email: &str) -> i64 {
        self.sign_up(slug, &valid_fields(email)).await;
        let (confirm, _) = self.last_links().await;
        self.get(&self.path_of(&confirm.unwrap())).await;
        sqlx::query_scalar(
            "SELECT r.id FROM registrations r JOIN registrants p ON p.id = r.registrant_id JOIN groups g ON g.id = r.group_id
             WHERE p.email = ? AND g.slug = ?",
        )
        .bind(email)
        .bind(slug)
        .fetch_one(self.pool())
        .await
        .unwrap()
    }
}
