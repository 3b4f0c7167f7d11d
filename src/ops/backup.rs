//! Online backups: `VACUUM INTO` writes a consistent copy of the database while the
//! server keeps running (readers and the writer go on; the copy is one snapshot).
//! To restore: stop the server, replace the database file with the copy (and
//! remove the `-wal` and `-shm` files beside it), start the server.

use std::path::Path;

use anyhow::{Context, bail};
use sqlx::SqlitePool;

pub async fn backup(pool: &SqlitePool, destination: &Path) -> anyhow::Result<u64> {
    if destination.exists() {
        bail!(
            "{} existe déjà : choisissez un nouveau fichier",
            destination.display()
        );
    }
    let target = destination
        .to_str()
        .context("chemin de sauvegarde non UTF-8")?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(pool)
        .await
        .with_context(|| format!("sauvegarde vers {}", destination.display()))?;
    Ok(std::fs::metadata(destination)?.len())
}
