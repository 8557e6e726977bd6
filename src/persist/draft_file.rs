//! The card form's unsaved changes (`draft.ron` in the app's data
//! directory), kept while the form has changes so a crash or a power cut
//! loses none: the next start opens the form again with them. Removed when
//! the card is saved or the changes are dropped.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use serde::de::DeserializeOwned;

use super::store::{self, StoreError};

/// What the form held: which card of which file, and its fields (`F`: the
/// form's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft<F> {
    pub file: PathBuf,
    pub card: String,
    pub fields: F,
}

/// The draft file of a data directory.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join("draft.ron")
}

/// The draft left by an earlier run, if any (a damaged one is kept aside
/// as `.bak`, with the message).
pub fn load<F: Serialize + DeserializeOwned + Default>(
    path: &Path,
) -> Result<(Option<Draft<F>>, Option<String>), StoreError> {
    if !path.exists() {
        return Ok((None, None));
    }
    let (draft, message): (Draft<F>, _) = store::load(path)?;
    Ok(((!draft.card.is_empty()).then_some(draft), message))
}

pub fn save<F: Serialize>(path: &Path, draft: &Draft<F>) -> Result<(), StoreError> {
    store::save(path, draft)
}

/// No unsaved changes any more.
pub fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}
