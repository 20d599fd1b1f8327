//! The round folder: the only state `annex serve` has. A restarted server shows the same round.
//!
//! ```text
//! DIR/secrets.json                  the links' secrets, made at the first start (mode 0600)
//! DIR/previous.json                 last round's master, if the secretariat puts one there
//! DIR/uploads/<who>/<id>/           one upload: who is an organisation's code, or council
//!     workbook.<ext>                the file as it came, never overwritten
//!     report.json, report.html      its check
//!     marked/…                      the workbook with its problems marked
//!     upload.json                   who, when, the file's name, size and SHA-256, the counts:
//!                                   written last, so an upload without it never happened
//! DIR/build/<id>/annex.*            the annex, built on the board
//! ```
//!
//! A file's name as uploaded is kept in `upload.json` and shown, never used as a path.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::schema::Schemas;
use crate::write::write_atomic;

/// Who a link is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    Secretariat,
    /// An organisation, by code.
    Organisation(String),
}

/// The folder name of the council master's uploads.
pub const COUNCIL: &str = "council";

/// The links' secrets: 32 random bytes each (256 bits), in hex.
#[derive(Serialize, Deserialize)]
struct Secrets {
    secretariat: String,
    organisations: Vec<(String, String)>,
}

/// What one upload was, as `upload.json` records it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Upload {
    pub id: String,
    /// An organisation's code, or `council`.
    pub who: String,
    /// Seconds since 1970, UTC.
    pub at: u64,
    /// The file's name as the browser gave it: shown, never a path.
    pub file_name: String,
    pub bytes: u64,
    pub sha256: String,
    pub errors: usize,
    pub warnings: usize,
    pub template: Option<String>,
    /// Whether a marked copy was made.
    pub marked: bool,
    /// Who uploaded it (担当者) and how to reach them, as they typed them: optional.
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    /// The council master it was checked beside, as its file name and when it was received;
    /// `None` for a check with no council master (or of the council master itself).
    #[serde(default)]
    pub checked_against: Option<(String, u64)>,
    /// Whether it is being checked again against a council master that has changed (in memory:
    /// a restart finds the last check done).
    #[serde(skip)]
    pub rechecking: bool,
}

pub struct RoundFolder {
    pub dir: PathBuf,
    /// The senders whose latest upload is being checked again.
    pub rechecking: std::sync::Mutex<std::collections::HashSet<String>>,
    secrets: Secrets,
    /// Whether this start made links (the first start, or an organisation new to the schemas):
    /// then they are printed, and otherwise only when asked for.
    pub new_links: bool,
}

impl RoundFolder {
    /// Open the round folder, making it and its secrets at the first start; an organisation
    /// the schemas name since gets a secret of its own.
    pub fn open(dir: &Path, schemas: &Schemas) -> std::io::Result<RoundFolder> {
        std::fs::create_dir_all(dir.join("uploads"))?;
        // Every upload is some organisation's: nobody but the server's user reads them.
        restrict(&dir.join("uploads"))?;
        let path = dir.join("secrets.json");
        let mut secrets = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(std::io::Error::other)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Secrets {
                secretariat: secret()?,
                organisations: Vec::new(),
            },
            Err(e) => return Err(e),
        };
        let mut changed = !path.exists();
        for org in &schemas.organisations {
            if !secrets
                .organisations
                .iter()
                .any(|(code, _)| *code == org.code)
            {
                secrets.organisations.push((org.code.clone(), secret()?));
                changed = true;
            }
        }
        if changed {
            let bytes = serde_json::to_vec_pretty(&secrets).map_err(std::io::Error::other)?;
            write_atomic(&path, &bytes)?;
            restrict(&path)?;
        }
        remove_cut_short(&dir.join("uploads"));
        Ok(RoundFolder {
            dir: dir.to_path_buf(),
            rechecking: Default::default(),
            secrets,
            new_links: changed,
        })
    }

    /// Whose link a secret is, compared in constant time with every secret there is.
    pub fn holder(&self, given: &str) -> Option<Holder> {
        let matches = |secret: &str| bool::from(secret.as_bytes().ct_eq(given.as_bytes()));
        let mut found = None;
        if matches(&self.secrets.secretariat) {
            found = Some(Holder::Secretariat);
        }
        for (code, secret) in &self.secrets.organisations {
            if matches(secret) {
                found = Some(Holder::Organisation(code.clone()));
            }
        }
        found
    }

    /// The secret of a holder's link.
    pub fn secret_of(&self, holder: &Holder) -> Option<&str> {
        match holder {
            Holder::Secretariat => Some(&self.secrets.secretariat),
            Holder::Organisation(code) => (self.secrets.organisations.iter())
                .find(|(c, _)| c == code)
                .map(|(_, s)| s.as_str()),
        }
    }

    pub fn previous(&self) -> Option<PathBuf> {
        Some(self.dir.join("previous.json")).filter(|p| p.is_file())
    }

    /// A new upload's folder, with the workbook written in it: nothing counts it yet.
    pub fn receive(&self, who: &str, extension: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let id = format!("{}-{}", stamp(now()), &secret()?[..8]);
        let folder = self.dir.join("uploads").join(who).join(&id);
        std::fs::create_dir_all(&folder)?;
        write_atomic(&folder.join(format!("workbook.{extension}")), bytes)?;
        Ok(folder)
    }

    /// Record an upload as made: its `upload.json`, written last and atomically.
    pub fn commit(&self, folder: &Path, upload: &Upload) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(upload).map_err(std::io::Error::other)?;
        write_atomic(&folder.join("upload.json"), &bytes)
    }

    /// Every upload made by `who`, the latest first; folders without `upload.json` (an upload
    /// cut short) are not uploads.
    pub fn uploads(&self, who: &str) -> Vec<Upload> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("uploads").join(who)) else {
            return Vec::new();
        };
        let mut uploads: Vec<Upload> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| std::fs::read(entry.path().join("upload.json")).ok())
            .filter_map(|bytes| serde_json::from_slice(&bytes).ok())
            .filter(|upload: &Upload| upload.who == who)
            .collect();
        uploads.sort_by(|a, b| b.id.cmp(&a.id));
        let rechecking = self.rechecking.lock().is_ok_and(|set| set.contains(who));
        if let (true, Some(latest)) = (rechecking, uploads.first_mut()) {
            latest.rechecking = true;
        }
        uploads
    }

    /// One upload of `who`'s, by id, and its folder.
    pub fn upload(&self, who: &str, id: &str) -> Option<(Upload, PathBuf)> {
        let upload = self.uploads(who).into_iter().find(|u| u.id == id)?;
        let folder = self.dir.join("uploads").join(who).join(&upload.id);
        Some((upload, folder))
    }

    /// The latest upload's workbook of `who`: its submission.
    pub fn submission(&self, who: &str) -> Option<(Upload, PathBuf)> {
        let upload = self.uploads(who).into_iter().next()?;
        let folder = self.dir.join("uploads").join(who).join(&upload.id);
        let workbook = workbook_in(&folder)?;
        Some((upload, workbook))
    }
}

/// What one build made on the board was, as `build.json` records it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Build {
    pub id: String,
    pub at: u64,
    pub partial: bool,
    pub errors: usize,
    pub warnings: usize,
    /// Whether the annex was written (a round with errors writes none).
    pub written: bool,
    /// What it was built from: each upload's sender, file name and id.
    #[serde(default)]
    pub inputs: Vec<BuildInput>,
    /// A build that failed: its first errors, each where it is, to be fixed.
    #[serde(default)]
    pub problems: Vec<BuildProblem>,
}

/// An upload a build read.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BuildInput {
    pub who: String,
    pub file_name: String,
    pub id: String,
}

/// An error that stopped a build: the upload it is in (none for the round's own, such as an
/// organisation missing), where in it, and what it says.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BuildProblem {
    pub upload: Option<BuildInput>,
    pub place: String,
    pub message: String,
    pub code: String,
}

impl RoundFolder {
    /// A new build's folder.
    pub fn new_build(&self) -> std::io::Result<(String, PathBuf)> {
        let id = format!("{}-{}", stamp(now()), &secret()?[..8]);
        let folder = self.dir.join("build").join(&id);
        std::fs::create_dir_all(&folder)?;
        Ok((id, folder))
    }

    /// Record a build as made: its `build.json`, written last.
    pub fn commit_build(&self, build: &Build) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(build).map_err(std::io::Error::other)?;
        write_atomic(
            &self.dir.join("build").join(&build.id).join("build.json"),
            &bytes,
        )
    }

    /// The latest build made, and its folder.
    pub fn latest_build(&self) -> Option<(Build, PathBuf)> {
        let entries = std::fs::read_dir(self.dir.join("build")).ok()?;
        let mut builds: Vec<(Build, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let bytes = std::fs::read(e.path().join("build.json")).ok()?;
                Some((serde_json::from_slice(&bytes).ok()?, e.path()))
            })
            .collect();
        builds.sort_by(|a, b| b.0.id.cmp(&a.0.id));
        builds.into_iter().next()
    }

    /// The latest build that wrote the annex, whatever came after it.
    pub fn latest_good_build(&self) -> Option<Build> {
        let entries = std::fs::read_dir(self.dir.join("build")).ok()?;
        (entries.filter_map(Result::ok))
            .filter_map(|e| std::fs::read(e.path().join("build.json")).ok())
            .filter_map(|bytes| serde_json::from_slice::<Build>(&bytes).ok())
            .filter(|build| build.written)
            .max_by(|a, b| a.id.cmp(&b.id))
    }
}

/// The workbook an upload's folder holds.
pub fn workbook_in(folder: &Path) -> Option<PathBuf> {
    std::fs::read_dir(folder)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.file_stem().is_some_and(|s| s == "workbook") && p.is_file())
}

/// The SHA-256 of bytes, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 32 random bytes from the operating system, in hex.
fn secret() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Makes a file or folder of the round the server's user's alone: a folder for that user to
/// enter (0700), a file to read and write (0600).
#[cfg(unix)]
fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match path.is_dir() {
        true => 0o700,
        false => 0o600,
    };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> std::io::Result<()> {
    Ok(())
}

pub fn now() -> (u64, u32) {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (since.as_secs(), since.subsec_nanos())
}

/// `20261202T150312.123456789`: sorts as time does.
fn stamp((seconds, nanos): (u64, u32)) -> String {
    let (y, m, d) = civil(seconds / 86_400);
    let day = seconds % 86_400;
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}.{nanos:09}",
        day / 3600,
        day % 3600 / 60,
        day % 60
    )
}

/// Takes out the folders of uploads cut short (a server killed mid-upload): they hold no
/// `upload.json`, so they never counted, and would only fill the disk. Nothing else is touched.
fn remove_cut_short(uploads: &Path) {
    let Ok(senders) = std::fs::read_dir(uploads) else {
        return;
    };
    for sender in senders.filter_map(Result::ok) {
        let Ok(folders) = std::fs::read_dir(sender.path()) else {
            continue;
        };
        for folder in folders.filter_map(Result::ok) {
            let path = folder.path();
            if path.is_dir() && !path.join("upload.json").exists() {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

/// Japan's offset from UTC, in minutes (Asia/Tokyo keeps no summer time).
pub const JAPAN: i32 = 9 * 60;

/// The offset from UTC, in minutes, that pages show times in: set once, at start.
static ZONE: std::sync::OnceLock<i32> = std::sync::OnceLock::new();

/// Shows times in the zone `minutes` east of UTC from now on (the first call only counts).
pub fn show_times_in(minutes: i32) {
    let _ = ZONE.set(minutes);
}

/// `2026年12月3日 0:03`, in Japan time unless the server was told another zone, which is then
/// named (`（UTC+01:00）`).
pub fn shown_time(seconds: u64) -> String {
    let zone = ZONE.get().copied().unwrap_or(JAPAN);
    in_zone(seconds, zone)
}

fn in_zone(seconds: u64, zone: i32) -> String {
    let local = (seconds as i64).saturating_add(i64::from(zone) * 60).max(0) as u64;
    let (y, m, d) = civil(local / 86_400);
    let day = local % 86_400;
    let named = match zone {
        JAPAN => String::new(),
        _ => format!(
            "（UTC{}{:02}:{:02}）",
            if zone < 0 { '-' } else { '+' },
            zone.unsigned_abs() / 60,
            zone.unsigned_abs() % 60
        ),
    };
    format!(
        "{y}年{m}月{d}日 {}:{:02}{named}",
        day / 3600,
        day % 3600 / 60
    )
}

/// The date of a day counted from 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil(days: u64) -> (i64, u32, u32) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::tests::schemas;

    #[test]
    fn days_are_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_424), (2025, 12, 2));
        // 15:00 UTC on 2026-12-02 is past midnight in Japan.
        assert_eq!(in_zone(1_796_223_600, JAPAN), "2026年12月3日 0:00");
        assert_eq!(
            in_zone(1_796_223_600 + 51 * 60, JAPAN),
            "2026年12月3日 0:51"
        );
        assert_eq!(
            in_zone(1_796_223_600, 60),
            "2026年12月2日 16:00（UTC+01:00）"
        );
        assert_eq!(
            in_zone(1_796_223_600, -5 * 60),
            "2026年12月2日 10:00（UTC-05:00）"
        );
    }

    #[test]
    fn secrets_are_made_once_and_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let folder = RoundFolder::open(dir.path(), schemas()).unwrap();
        let meti = Holder::Organisation("METI".into());
        let secret = folder.secret_of(&meti).unwrap().to_string();
        assert_eq!(secret.len(), 64);
        assert_eq!(folder.holder(&secret), Some(meti.clone()));
        assert_eq!(folder.holder(&secret[..63]), None);
        assert_eq!(folder.holder(""), None);
        let again = RoundFolder::open(dir.path(), schemas()).unwrap();
        assert_eq!(again.secret_of(&meti), Some(secret.as_str()));
        let board = again.secret_of(&Holder::Secretariat).unwrap();
        assert_ne!(board, secret);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &str| {
                std::fs::metadata(dir.path().join(p))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777
            };
            assert_eq!(mode("secrets.json"), 0o600);
            assert_eq!(
                mode("uploads"),
                0o700,
                "the uploads are the server's user's alone"
            );
        }
    }

    #[test]
    fn an_upload_cut_short_is_no_upload() {
        let dir = tempfile::tempdir().unwrap();
        let folder = RoundFolder::open(dir.path(), schemas()).unwrap();
        let cut = folder.receive("METI", "xlsx", b"PK").unwrap();
        assert!(folder.uploads("METI").is_empty());
        let upload = Upload {
            id: cut.file_name().unwrap().to_string_lossy().into_owned(),
            who: "METI".into(),
            at: 0,
            file_name: "../../x.xlsx".into(),
            bytes: 2,
            sha256: sha256(b"PK"),
            errors: 1,
            warnings: 0,
            template: None,
            marked: false,
            person: Some("経産 太郎".into()),
            contact: None,
            checked_against: Some(("council.xlsx".into(), 0)),
            rechecking: false,
        };
        folder.commit(&cut, &upload).unwrap();
        assert_eq!(folder.uploads("METI"), [upload]);
        assert!(folder.submission("METI").is_some());
    }
}
