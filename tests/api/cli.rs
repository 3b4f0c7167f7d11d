//! The operator's commands, run as the real binary.

use std::process::Command;

fn inscriptions(dir: &std::path::Path) -> Command {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut command = Command::new(env!("CARGO_BIN_EXE_inscriptions"));
    command
        .env(
            "INSCRIPTIONS__DATABASE__URL",
            format!("sqlite://{}", dir.join("cli.db").display()),
        )
        .env(
            "INSCRIPTIONS__SERVER__DSFR_DIR",
            format!("{root}/node_modules/@gouvfr/dsfr/dist"),
        )
        .env(
            "INSCRIPTIONS__MAIL__TEMPLATES_DIR",
            format!("{root}/templates"),
        )
        .env("INSCRIPTIONS__MAIL__FILE_DIR", dir.join("emails"));
    command
}

#[test]
fn a_bad_setting_stops_the_start_with_its_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let output = inscriptions(dir.path())
        .env("INSCRIPTIONS__MAIL__SMTP__PORT", "abc")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("mail.smtp.port"), "{stderr}");

    let file = dir.path().join("extra.toml");
    std::fs::write(&file, "[server]\nbase_url = \"pas-une-url\"\n").unwrap();
    let output = inscriptions(dir.path())
        .arg("serve")
        .arg("--config")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("server.base_url"));
}

#[test]
fn migrate_then_check_then_backup() {
    let dir = tempfile::tempdir().unwrap();
    let migrate = inscriptions(dir.path()).arg("migrate").output().unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("4 groupe(s) ajouté(s)"));

    let check = inscriptions(dir.path()).arg("check").output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // An SMTP server nobody listens on is reported, by name.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let check = inscriptions(dir.path())
        .env("INSCRIPTIONS__MAIL__TRANSPORT", "smtp")
        .env("INSCRIPTIONS__MAIL__SMTP__PORT", port.to_string())
        .env("INSCRIPTIONS__MAIL__SMTP__TIMEOUT_SECONDS", "2")
        .arg("check")
        .output()
        .unwrap();
    assert!(!check.status.success());
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("serveur SMTP"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    let copy = dir.path().join("copie.db");
    let backup = inscriptions(dir.path())
        .arg("backup")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    assert!(copy.exists());
}
