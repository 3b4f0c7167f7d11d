//! DSFR components used across pages: form fields with their label, hint and
//! error wired together (`aria-describedby`, `aria-invalid`), the error summary,
//! alerts and the anti-forgery field.

use maud::{Markup, html};

/// Errors of a submitted form, in the order of its fields: (field id, message).
#[derive(Debug, Default, Clone)]
pub struct FormErrors(pub Vec<(&'static str, String)>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorts the errors in the order the fields appear on the page.
    pub fn sort_by(&mut self, order: &[&str]) {
        self.0
            .sort_by_key(|(field, _)| order.iter().position(|f| f == field).unwrap_or(usize::MAX));
    }
}

/// The hidden anti-forgery field every form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(token); }
}

/// The summary at the top of a form sent with errors. It takes the focus (the
/// `autofocus` attribute, and `app.js` for older browsers) so a screen reader
/// announces it, and links each error to its field.
pub fn error_summary(errors: &FormErrors) -> Markup {
    let count = errors.0.len();
    html! {
        @if count > 0 {
            div.fr-alert.fr-alert--error.fr-mb-4w #resume-erreurs role="alert" tabindex="-1" autofocus {
                h2.fr-alert__title {
                    @if count == 1 { "Le formulaire contient une erreur" } @else { "Le formulaire contient " (count) " erreurs" }
                }
                ul {
                    @for (field, message) in &errors.0 {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// A text-like input (text, email, tel).
pub struct Input<'a> {
    pub id: &'static str,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub value: &'a str,
    pub kind: &'static str,
    pub autocomplete: Option<&'static str>,
    pub optional: bool,
    pub max_chars: usize,
}

impl Input<'_> {
    pub fn render(&self, errors: &FormErrors) -> Markup {
        let error = errors.get(self.id);
        let messages_id = format!("{}-messages", self.id);
        let hint_id = format!("{}-hint", self.id);
        let described_by = match self.hint {
            Some(_) => format!("{hint_id} {messages_id}"),
            None => messages_id.clone(),
        };
        html! {
            div.fr-input-group.fr-input-group--error[error.is_some()] {
                label.fr-label for=(self.id) {
                    (self.label)
                    @if self.optional { " (optionnel)" }
                    @if let Some(hint) = self.hint { span.fr-hint-text #(hint_id) { (hint) } }
                }
                input.fr-input.fr-input--error[error.is_some()]
                    id=(self.id) name=(self.id) type=(self.kind) value=(self.value)
                    autocomplete=[self.autocomplete]
                    maxlength=(self.max_chars)
                    spellcheck=[(self.kind == "email").then_some("false")]
                    required[!self.optional]
                    aria-invalid=[error.map(|_| "true")]
                    aria-describedby=(described_by);
                div.fr-messages-group #(messages_id) aria-live="polite" {
                    @if let Some(message) = error { p.fr-message.fr-message--error { (message) } }
                }
            }
        }
    }
}

/// A group of radio buttons in a fieldset.
pub struct Radios<'a> {
    pub id: &'static str,
    pub legend: &'a str,
    pub options: &'a [(&'static str, &'static str)],
    pub selected: &'a str,
}

impl Radios<'_> {
    pub fn render(&self, errors: &FormErrors) -> Markup {
        let error = errors.get(self.id);
        let legend_id = format!("{}-legend", self.id);
        let messages_id = format!("{}-messages", self.id);
        html! {
            fieldset.fr-fieldset.fr-fieldset--error[error.is_some()] #(self.id) tabindex="-1"
                aria-labelledby={ (legend_id) " " (messages_id) } {
                legend.fr-fieldset__legend.fr-fieldset__legend--regular #(legend_id) { (self.legend) }
                @for (value, label) in self.options {
                    @let input_id = format!("{}-{}", self.id, value);
                    div.fr-fieldset__element.fr-fieldset__element--inline {
                        div.fr-radio-group {
                            input type="radio" id=(input_id) name=(self.id) value=(value) checked[self.selected == *value]
                                aria-invalid=[error.map(|_| "true")];
                            label.fr-label for=(input_id) { (label) }
                        }
                    }
                }
                div.fr-messages-group #(messages_id) aria-live="polite" {
                    @if let Some(message) = error { p.fr-message.fr-message--error { (message) } }
                }
            }
        }
    }
}

/// A drop-down list.
pub struct Select<'a> {
    pub id: &'static str,
    pub label: &'a str,
    pub options: &'a [(&'static str, &'static str)],
    pub selected: &'a str,
}

impl Select<'_> {
    pub fn render(&self, errors: &FormErrors) -> Markup {
        let error = errors.get(self.id);
        let messages_id = format!("{}-messages", self.id);
        html! {
            div.fr-select-group.fr-select-group--error[error.is_some()] {
                label.fr-label for=(self.id) { (self.label) }
                select.fr-select.fr-select--error[error.is_some()] id=(self.id) name=(self.id)
                    aria-invalid=[error.map(|_| "true")] aria-describedby=(messages_id) required {
                    option value="" selected[self.selected.is_empty()] disabled hidden { "Sélectionnez une option" }
                    @for (value, label) in self.options {
                        option value=(value) selected[self.selected == *value] { (label) }
                    }
                }
                div.fr-messages-group #(messages_id) aria-live="polite" {
                    @if let Some(message) = error { p.fr-message.fr-message--error { (message) } }
                }
            }
        }
    }
}

/// A single optional checkbox.
pub fn checkbox(id: &'static str, label: &str, hint: Option<&str>, checked: bool) -> Markup {
    let messages_id = format!("{id}-messages");
    html! {
        div.fr-checkbox-group {
            input type="checkbox" id=(id) name=(id) value="oui" checked[checked] aria-describedby=(messages_id);
            label.fr-label for=(id) {
                (label)
                @if let Some(hint) = hint { span.fr-hint-text { (hint) } }
            }
            div.fr-messages-group #(messages_id) aria-live="polite" {}
        }
    }
}

/// An alert: `kind` is "success", "info", "warning" or "error".
pub fn alert(kind: &str, title: &str, body: Markup) -> Markup {
    html! {
        div class={ "fr-alert fr-alert--" (kind) " fr-mb-4w" } {
            h2.fr-alert__title { (title) }
            (body)
        }
    }
}

/// A badge for a registration's state.
pub fn state_badge(state: crate::domain::RegistrationState) -> Markup {
    use crate::domain::RegistrationState::*;
    let class = match state {
        PendingEmail => "fr-badge--new",
        Confirmed => "fr-badge--info",
        Approved => "fr-badge--success",
        Rejected => "fr-badge--error",
        Withdrawn => "",
    };
    html! { p class={ "fr-badge fr-badge--no-icon " (class) } { (state.label()) } }
}
