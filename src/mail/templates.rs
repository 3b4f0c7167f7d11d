//! The wording of every email, read from `templates/email/*.toml` at start and
//! checked there, so a typo in a template stops the start instead of an email.

use std::{collections::HashMap, path::Path};

use anyhow::{Context, bail};
use serde::Deserialize;

/// Each email and the placeholders it may use.
const EMAILS: &[(&str, &[&str])] = &[
    (
        "confirmation",
        &["groups", "confirm_url", "confirm_expiry", "manage_url"],
    ),
    ("already_registered", &["groups", "manage_url"]),
    ("access_link", &["manage_url"]),
    ("signin_link", &["signin_url", "expiry_minutes"]),
    ("digest", &["groups", "dashboard_url"]),
    ("erasure_warning", &["group", "erasure_date", "export_url"]),
    ("decision_approved", &["group", "manage_url"]),
    ("decision_rejected", &["group", "reason", "manage_url"]),
    (
        "reconfirmation",
        &["groups", "confirm_url", "confirm_expiry", "manage_url"],
    ),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Template {
    subject: String,
    text: String,
    html: String,
}

/// A value for a placeholder.
#[derive(Debug, Clone)]
pub enum Var {
    Text(String),
    /// Lines in the text part, a bulleted list in the HTML part.
    List(Vec<String>),
}

/// An email's subject and bodies, placeholders filled in.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, Clone)]
pub struct Templates {
    by_name: HashMap<&'static str, Template>,
}

impl Templates {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut by_name = HashMap::new();
        for (name, allowed) in EMAILS {
            let path = dir.join("email").join(format!("{name}.toml"));
            let source = std::fs::read_to_string(&path)
                .with_context(|| format!("modèle de courriel introuvable : {}", path.display()))?;
            let template: Template = toml::from_str(&source)
                .with_context(|| format!("modèle de courriel illisible : {}", path.display()))?;
            for part in [&template.subject, &template.text, &template.html] {
                for placeholder in placeholders(part) {
                    if !allowed.contains(&placeholder) {
                        bail!(
                            "modèle {} : {{{{{placeholder}}}}} inconnu (autorisés : {})",
                            path.display(),
                            allowed.join(", ")
                        );
                    }
                }
            }
            if template.subject.contains(['\r', '\n']) {
                bail!("modèle {} : l’objet tient sur une ligne", path.display());
            }
            by_name.insert(*name, template);
        }
        Ok(Self { by_name })
    }

    /// Fills in `name`'s placeholders. Values are escaped in the HTML part.
    pub fn render(&self, name: &str, vars: &[(&str, Var)]) -> Rendered {
        let template = self
            .by_name
            .get(name)
            .unwrap_or_else(|| panic!("no email template named {name}: add it to EMAILS"));
        let text_of = |var: &Var| match var {
            Var::Text(value) => value.clone(),
            Var::List(items) => items
                .iter()
                .map(|item| format!("- {item}"))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        let html_of = |var: &Var| match var {
            Var::Text(value) => escape(value),
            Var::List(items) => {
                let items: String = items
                    .iter()
                    .map(|item| format!("<li>{}</li>", escape(item)))
                    .collect();
                format!("<ul>{items}</ul>")
            }
        };
        Rendered {
            subject: fill(&template.subject, vars, text_of),
            text: fill(template.text.trim_start(), vars, text_of),
            html: fill(template.html.trim_start(), vars, html_of),
        }
    }
}

fn escape(value: &str) -> String {
    maud::html! { (value) }.into_string()
}

fn fill(source: &str, vars: &[(&str, Var)], render: impl Fn(&Var) -> String) -> String {
    let mut out = source.to_owned();
    for (name, var) in vars {
        out = out.replace(&format!("{{{{{name}}}}}"), &render(var));
    }
    out
}

/// The `{{name}}` placeholders a template uses.
fn placeholders(source: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                found.push(after[..end].trim());
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Templates {
        Templates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")).unwrap()
    }

    #[test]
    fn the_shipped_templates_load() {
        templates();
    }

    #[test]
    fn values_are_escaped_in_html_only() {
        let rendered = templates().render(
            "already_registered",
            &[
                ("groups", Var::List(vec!["<b>Groupe</b> & co".into()])),
                ("manage_url", Var::Text("http://x/?a=1&b=2".into())),
            ],
        );
        assert!(rendered.text.contains("- <b>Groupe</b> & co"));
        assert!(
            rendered
                .html
                .contains("<li>&lt;b&gt;Groupe&lt;/b&gt; &amp; co</li>")
        );
        assert!(rendered.html.contains("href=\"http://x/?a=1&amp;b=2\""));
        assert!(!rendered.text.contains("{{"));
    }

    #[test]
    fn an_unknown_placeholder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let email = dir.path().join("email");
        std::fs::create_dir_all(&email).unwrap();
        for (name, _) in EMAILS {
            std::fs::write(
                email.join(format!("{name}.toml")),
                "subject = \"s\"\ntext = \"{{nope}}\"\nhtml = \"h\"\n",
            )
            .unwrap();
        }
        let err = Templates::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
