//! What the people who run the platform need: health and readiness for a load
//! balancer, Prometheus metrics, online backups, and a configuration check.

pub mod backup;
pub mod check;
pub mod health;
pub mod metrics;
