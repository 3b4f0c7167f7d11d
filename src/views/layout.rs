//! The frame of every page: DSFR header, skip links, main content, footer.

use maud::{DOCTYPE, Markup, html};

use super::{app_static_path, dsfr_path};

/// A full page. `title` is the page's own title; the site's name is appended.
pub fn page(title: &str, main: Markup) -> Markup {
    let dsfr = dsfr_path();
    let app = app_static_path();
    html! {
        (DOCTYPE)
        html lang="fr" data-fr-scheme="system" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no";
                meta name="format-detection" content="telephone=no";
                title { (title) " — Inscriptions aux groupes projets TNT" }
                link rel="stylesheet" href={ (dsfr) "/dsfr.min.css" };
                link rel="stylesheet" href={ (app) "/app.css" };
                link rel="apple-touch-icon" href={ (dsfr) "/favicon/apple-touch-icon.png" };
                link rel="icon" href={ (dsfr) "/favicon/favicon.svg" } type="image/svg+xml";
                link rel="shortcut icon" href={ (dsfr) "/favicon/favicon.ico" } type="image/x-icon";
            }
            body {
                div.fr-skiplinks {
                    nav.fr-container role="navigation" aria-label="Accès rapide" {
                        ul.fr-skiplinks__list {
                            li { a.fr-link href="#contenu" { "Contenu" } }
                            li { a.fr-link href="#pied-de-page" { "Pied de page" } }
                        }
                    }
                }
                (header())
                main #contenu role="main" tabindex="-1" {
                    div.fr-container.fr-my-6w { (main) }
                }
                (footer())
                script type="module" src={ (dsfr) "/dsfr.module.min.js" } {}
                script type="module" src={ (app) "/app.js" } {}
            }
        }
    }
}

fn header() -> Markup {
    html! {
        header.fr-header role="banner" {
            div.fr-header__body {
                div.fr-container {
                    div.fr-header__body-row {
                        div.fr-header__brand.fr-enlarge-link {
                            div.fr-header__brand-top {
                                div.fr-header__logo {
                                    p.fr-logo { "République" br; "Française" }
                                }
                            }
                            div.fr-header__service {
                                a href="/" title="Accueil — Transformation numérique des territoires — République Française" {
                                    p.fr-header__service-title { "Transformation numérique des territoires" }
                                }
                                p.fr-header__service-tagline { "Inscriptions aux groupes projets" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn footer() -> Markup {
    html! {
        footer.fr-footer #pied-de-page role="contentinfo" {
            div.fr-container {
                div.fr-footer__body {
                    div.fr-footer__brand.fr-enlarge-link {
                        a href="/" title="Retour à l’accueil du site — République Française" {
                            p.fr-logo { "République" br; "Française" }
                        }
                    }
                    div.fr-footer__content {
                        p.fr-footer__content-desc {
                            "Inscriptions aux groupes projets du programme « Transformation numérique des territoires », copiloté par l’État et les associations d’élus."
                        }
                    }
                }
                div.fr-footer__bottom {
                    ul.fr-footer__bottom-list {
                        li.fr-footer__bottom-item { a.fr-footer__bottom-link href="/accessibilite" { "Accessibilité : " (super::legal::CONFORMITY) } }
                        li.fr-footer__bottom-item { a.fr-footer__bottom-link href="/mentions-legales" { "Mentions légales" } }
                        li.fr-footer__bottom-item { a.fr-footer__bottom-link href="/donnees-personnelles" { "Données personnelles" } }
                        li.fr-footer__bottom-item { a.fr-footer__bottom-link href="/mes-inscriptions" { "Retrouver mes inscriptions" } }
                    }
                    div.fr-footer__bottom-copy {
                        p { "Sauf mention contraire, les contenus de ce site sont proposés sous licence etalab-2.0." }
                    }
                }
            }
        }
    }
}
