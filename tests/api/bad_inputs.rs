//! A corpus of hostile and odd inputs (tests/data/bad_inputs.json: XSS, CRLF, NUL,
//! invalid UTF-8, 1 MB fields, homoglyph and IDN addresses, direction overrides,
//! formula prefixes, SQL fragments) posted to every field of every form: never a
//! 5xx, always a French page, and nothing stored that could be rendered as markup.

use crate::helpers::*;
use reqwest::StatusCode;

struct Case {
    name: String,
    /// Percent-encoded, so raw bytes (invalid UTF-8 included) reach the server as is.
    encoded: String,
}

fn corpus() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad_inputs.json");
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let bytes: Vec<u8> = match (case.get("value"), case.get("hex")) {
                (Some(value), _) => value.as_str().unwrap().as_bytes().to_vec(),
                (_, Some(hex)) => {
                    let hex = hex.as_str().unwrap();
                    (0..hex.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                        .collect()
                }
                _ => panic!("case without value: {case}"),
            };
            Case {
                name: case["name"].as_str().unwrap().to_owned(),
                encoded: bytes.iter().map(|b| format!("%{b:02X}")).collect(),
            }
        })
        .collect()
}

fn encode_fields(fields: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

async fn post_raw(app: &TestApp, path: &str, body: String) -> (StatusCode, String) {
    let response = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let html = match location {
        Some(location) => app.get_html(&location).await.1,
        None => response.text().await.unwrap(),
    };
    (status, html)
}

fn assert_answered_in_french(case: &str, form: &str, status: StatusCode, html: &str) {
    assert!(!status.is_server_error(), "{case} on {form}: {status}");
    assert!(
        [
            StatusCode::SEE_OTHER,
            StatusCode::BAD_REQUEST,
            StatusCode::PAYLOAD_TOO_LARGE,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::NOT_FOUND
        ]
        .contains(&status),
        "{case} on {form}: unexpected {status}"
    );
    assert!(
        html.contains("<html lang=\"fr\""),
        "{case} on {form}: not a French page"
    );
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        assert!(
            html.contains("id=\"resume-erreurs\""),
            "{case} on {form}: no error summary"
        );
    }
}

#[tokio::test]
async fn every_bad_input_on_every_form_gets_a_french_answer_and_nothing_unsafe_is_stored() {
    let app = spawn_app().await;
    let cases = corpus();
    assert!(cases.len() >= 200, "the corpus has {} cases", cases.len());
    let form_path = format!("/groupes/{GROUP_1}/inscription");
    let token = app.csrf_token(&form_path).await;

    for (n, case) in cases.iter().enumerate() {
        // Sign-up form: the case in each field in turn, the others valid.
        for field in [
            "first_name",
            "last_name",
            "email",
            "role",
            "function",
            "authority_kind",
            "authority_name",
            "authority_code",
            "phone",
            "join_space",
        ] {
            let email = format!("corpus{n}-{field}@mairie.fr");
            let others: Vec<(&str, String)> = valid_fields(&email)
                .into_iter()
                .filter(|(k, _)| *k != field)
                .collect();
            let body = format!(
                "{}&{field}={}&csrf_token={token}",
                encode_fields(&others),
                case.encoded
            );
            let (status, html) = post_raw(&app, &form_path, body).await;
            assert_answered_in_french(&case.name, field, status, &html);
        }
        // "Re-send my link" and "new confirmation link" forms.
        let (status, html) = post_raw(
            &app,
            "/mes-inscriptions",
            format!("email={}&csrf_token={token}", case.encoded),
        )
        .await;
        assert_answered_in_french(&case.name, "mes-inscriptions", status, &html);
        let (status, html) = post_raw(
            &app,
            "/confirmation/nouveau-lien",
            format!("token={}&csrf_token={token}", case.encoded),
        )
        .await;
        assert_answered_in_french(&case.name, "nouveau-lien", status, &html);
    }

    // Whatever was accepted holds no markup, control or invisible direction character.
    // Every text column, NULLs as empty text.
    let stored: Vec<(String,)> = sqlx::query_as(
        "SELECT first_name || char(31) || last_name || char(31) || function || char(31) || authority_name
                || char(31) || role || char(31) || COALESCE(authority_code, '') || char(31) || COALESCE(phone, '')
         FROM registrations",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert!(!stored.is_empty(), "some odd but valid inputs are accepted");
    let emails: Vec<(String,)> = sqlx::query_as("SELECT email FROM registrants")
        .fetch_all(app.pool())
        .await
        .unwrap();
    let unsafe_char = |c: char| {
        c == '<'
            || c == '>'
            || c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}')
    };
    for (row,) in &stored {
        for value in row.split('\u{1f}') {
            assert!(
                !value.chars().any(unsafe_char),
                "stored unsafe value {value:?}"
            );
        }
    }
    for (email,) in &emails {
        assert!(
            email.is_ascii() && !email.chars().any(unsafe_char),
            "stored unsafe address {email:?}"
        );
    }
}
