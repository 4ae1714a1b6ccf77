//! Custom declarative pieces: every `*.json` piece spec in a directory (`--pieces-dir`,
//! `SWITCHBOARD_PIECES_DIR`), loaded at start next to the built-in ones. Users add their own API
//! integrations (including OAuth2 ones) without recompiling; a spec with a built-in piece's id
//! replaces it. Specs are checked exactly like the built-in ones: a bad spec stops the start with
//! its file and every problem, rather than running without the piece.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use switchboard_engine::piece::spec::SpecPiece;

/// The pieces specified in `dir`, in file-name order.
pub fn load(dir: &Path) -> anyhow::Result<Vec<SpecPiece>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("pieces directory {}: cannot read it", dir.display()))?;
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("pieces directory {}: cannot list it", dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    let mut pieces = Vec::with_capacity(files.len());
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read the piece spec {}", file.display()))?;
        let name = file.display().to_string();
        let piece = switchboard_engine::pieces::declared::load(&name, &text)
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let id = piece.spec().id.clone();
        if let Some(other) = seen.insert(id.clone(), file.clone()) {
            anyhow::bail!(
                "{name}: piece `{id}` is also specified in {}: a piece id must be unique",
                other.display()
            );
        }
        pieces.push(piece);
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(id: &str) -> String {
        serde_json::json!({
            "id": id, "name": "Custom", "description": "A custom piece.", "category": "Custom",
            "base_url": "https://api.custom.example",
            "actions": [{
                "name": "ping", "label": "Ping", "description": "Pings.",
                "request": { "method": "GET", "path": "/ping" },
                "examples": [{ "name": "ping", "props": {},
                    "request": { "method": "GET", "path": "/ping" },
                    "response": { "body": { "ok": true } }, "output": { "ok": true } }]
            }]
        })
        .to_string()
    }

    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("switchboard-pieces-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn loads_every_json_spec_and_nothing_else() {
        let dir = scratch("ok");
        std::fs::write(dir.join("b.json"), spec("custom_b")).unwrap();
        std::fs::write(dir.join("a.json"), spec("custom_a")).unwrap();
        std::fs::write(dir.join("notes.txt"), "not a spec").unwrap();
        let pieces = load(&dir).unwrap();
        let ids: Vec<&str> = pieces.iter().map(|p| p.spec().id.as_str()).collect();
        assert_eq!(ids, ["custom_a", "custom_b"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_bad_spec_is_an_error_naming_its_file() {
        let dir = scratch("bad");
        std::fs::write(dir.join("broken.json"), r#"{"id": "x", "nmae": "typo"}"#).unwrap();
        let e = load(&dir).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("broken.json"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);

        let dir = scratch("dup");
        std::fs::write(dir.join("one.json"), spec("same")).unwrap();
        std::fs::write(dir.join("two.json"), spec("same")).unwrap();
        let e = load(&dir).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("must be unique"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);

        assert!(load(Path::new("/nonexistent/switchboard/pieces")).is_err());
    }
}
