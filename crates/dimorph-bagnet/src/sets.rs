//! A run's train/validation/test split by image identity (the path as written in the label CSV and
//! the subject), never by position or count: the same CSV with its rows shuffled, or with unreadable
//! images skipped, keeps each image's set, and a set of images the run never saw (an external
//! evaluation set, the paper's "clinical" column) is reported as one set of its own.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::{Dataset, LabelRow};
use crate::BagNetError;
use dimorph_core::text::clip;
use dimorph_core::text::clip_path;

/// The names of a run's three sets, in the order of its split.
pub const SET_NAMES: [&str; 3] = ["training", "validation", "test"];

/// An image's identity in a run's split: its path as written in the label CSV and its subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ImageId {
    pub path: String,
    pub subject: String,
}

impl ImageId {
    /// The identity of a label row.
    pub fn of(row: &LabelRow) -> ImageId {
        ImageId {
            path: row.name.clone(),
            subject: row.subject.clone(),
        }
    }
}

/// The identities of the images of a split given as indices into `ds`.
pub fn ids_of(ds: &Dataset, split: &[Vec<usize>; 3]) -> [Vec<ImageId>; 3] {
    split
        .clone()
        .map(|idx| idx.iter().map(|&i| ImageId::of(&ds.rows[i])).collect())
}

/// Which set of a stored split each image of `ds` belongs to (none: the run never saw it).
pub fn membership(ds: &Dataset, ids: &[Vec<ImageId>; 3]) -> Vec<Option<usize>> {
    let mut set_of: HashMap<&ImageId, usize> = HashMap::new();
    for (k, v) in ids.iter().enumerate() {
        for id in v {
            set_of.insert(id, k);
        }
    }
    ds.rows.iter().map(|r| set_of.get(&ImageId::of(r)).copied()).collect()
}

/// A stored split as indices into `ds`, with the images of `ds` it does not hold and the stored
/// identities `ds` lacks (both empty when `ds` holds exactly the run's images, in any order).
pub struct Resolved {
    pub split: [Vec<usize>; 3],
    pub unknown: Vec<usize>,
    pub missing: Vec<ImageId>,
}

/// Map a stored split onto the images of `ds`.
pub fn resolve(ds: &Dataset, ids: &[Vec<ImageId>; 3]) -> Resolved {
    let member = membership(ds, ids);
    let mut split: [Vec<usize>; 3] = Default::default();
    let mut unknown = Vec::new();
    for (i, m) in member.iter().enumerate() {
        match m {
            Some(k) => split[*k].push(i),
            None => unknown.push(i),
        }
    }
    let present: std::collections::HashSet<ImageId> = ds.rows.iter().map(ImageId::of).collect();
    let missing = ids
        .iter()
        .flatten()
        .filter(|id| !present.contains(*id))
        .cloned()
        .collect();
    Resolved {
        split,
        unknown,
        missing,
    }
}

/// The sets to report for the images of `ds`: with `external` (a name) or without a stored split,
/// one set of every image (named `external`, else `all`); otherwise the run's training, validation
/// and test sets by identity, plus a set `external` of the images the run never saw (when it has
/// any). An evaluation set that shares no image with the run is `all`, whatever its size.
pub fn sets_of(ds: &Dataset, ids: Option<&[Vec<ImageId>; 3]>, external: Option<&str>) -> Vec<(String, Vec<usize>)> {
    let all = |name: &str| vec![(name.to_string(), (0..ds.rows.len()).collect())];
    if let Some(name) = external {
        return all(name);
    }
    let Some(ids) = ids else {
        return all("all");
    };
    let r = resolve(ds, ids);
    if r.unknown.len() == ds.rows.len() {
        return all("all");
    }
    let mut out: Vec<(String, Vec<usize>)> = SET_NAMES.iter().zip(r.split).map(|(n, v)| (n.to_string(), v)).collect();
    if !r.unknown.is_empty() {
        out.push(("external".to_string(), r.unknown));
    }
    out
}

/// The set (0 training, 1 validation, 2 test) a cell of a split file names.
fn set_index(v: &str) -> Option<usize> {
    match v.trim().to_ascii_lowercase().as_str() {
        "train" | "training" => Some(0),
        "val" | "valid" | "validation" => Some(1),
        "test" => Some(2),
        _ => None,
    }
}

/// A user-fixed split: the CSV `file` with columns `path` (as in the label CSV) and `column`
/// (train/training, val/validation or test), matched to the images of `ds` by path. Every image of
/// `ds` must be listed; rows naming images `ds` does not hold (e.g. skipped ones) are ignored.
pub fn read_split_file(file: &Path, column: &str, ds: &Dataset) -> Result<[Vec<usize>; 3], BagNetError> {
    let bad = |msg: String| BagNetError::file(file, msg);
    let input = std::fs::File::open(file).map_err(|e| bad(e.to_string()))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(dimorph_data::QuoteGuard::new(std::io::BufReader::new(input), b','));
    let headers = rdr.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let ip = col("path").ok_or_else(|| bad("no column 'path' (--split-file needs path and the set column)".into()))?;
    let is = col(column).ok_or_else(|| bad(format!("no column '{}' (--split-column)", clip(column))))?;
    let mut set_of: HashMap<String, usize> = HashMap::new();
    for (k, rec) in rdr.records().enumerate() {
        let row = k + 2;
        let rec = rec.map_err(|e| BagNetError::Row {
            path: file.display().to_string(),
            row,
            msg: e.to_string(),
        })?;
        let path = rec.get(ip).unwrap_or("").trim().to_string();
        let v = rec.get(is).unwrap_or("");
        let set = set_index(v).ok_or_else(|| BagNetError::Row {
            path: file.display().to_string(),
            row,
            msg: format!(
                "column '{}': '{}' is not a set (train, val or test)",
                clip(column),
                clip(v)
            ),
        })?;
        if let Some(old) = set_of.insert(path.clone(), set) {
            if old != set {
                return Err(BagNetError::Row {
                    path: file.display().to_string(),
                    row,
                    msg: format!("'{}' is listed in two sets", clip_path(&path)),
                });
            }
        }
    }
    rdr.get_ref()
        .check(&file.display().to_string())
        .map_err(|e| BagNetError::Data(e.to_string()))?;
    let mut split: [Vec<usize>; 3] = Default::default();
    let mut unlisted = Vec::new();
    for (i, r) in ds.rows.iter().enumerate() {
        match set_of.get(&r.name) {
            Some(&k) => split[k].push(i),
            None => unlisted.push(i),
        }
    }
    if let Some(&i) = unlisted.first() {
        return Err(bad(format!(
            "{} image(s) are not listed, e.g. '{}'; list every image of the label CSV",
            unlisted.len(),
            clip_path(&ds.rows[i].name)
        )));
    }
    Ok(split)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::RgbImage;
    use std::path::PathBuf;

    fn ds(names: &[&str]) -> Dataset {
        let rows: Vec<LabelRow> = names
            .iter()
            .map(|n| LabelRow {
                path: PathBuf::from(n),
                name: n.to_string(),
                subject: format!("s-{n}"),
                label: "a".into(),
                eye: None,
                visit: None,
                planted: Vec::new(),
            })
            .collect();
        Dataset {
            images: rows.iter().map(|_| RgbImage::new(1, 1)).collect(),
            targets: vec![0; rows.len()],
            scales: vec![1.0; rows.len()],
            rows,
            classes: vec!["a".into(), "b".into()],
            skipped: Vec::new(),
        }
    }

    #[test]
    fn split_follows_identity_not_position() {
        let train = ds(&["a.png", "b.png", "c.png", "d.png"]);
        let ids = ids_of(&train, &[vec![0, 1], vec![2], vec![3]]);
        // Rows shuffled, one image skipped: each image keeps its set.
        let later = ds(&["d.png", "b.png", "c.png"]);
        let sets = sets_of(&later, Some(&ids), None);
        let names: Vec<(&str, Vec<&str>)> = sets
            .iter()
            .map(|(n, v)| (n.as_str(), v.iter().map(|&i| later.rows[i].name.as_str()).collect()))
            .collect();
        assert_eq!(
            names,
            [
                ("training", vec!["b.png"]),
                ("validation", vec!["c.png"]),
                ("test", vec!["d.png"])
            ]
        );
        let r = resolve(&later, &ids);
        assert_eq!(r.missing, [ImageId::of(&train.rows[0])]);
        // Another set of the same size is "all"; named with --external it takes that name.
        let other = ds(&["w.png", "x.png", "y.png", "z.png"]);
        assert_eq!(sets_of(&other, Some(&ids), None)[0].0, "all");
        assert_eq!(sets_of(&other, Some(&ids), None).len(), 1);
        assert_eq!(sets_of(&train, Some(&ids), Some("clinical"))[0].0, "clinical");
        // Mixed: the run's sets, and the new images apart.
        let mixed = ds(&["a.png", "new.png"]);
        let s = sets_of(&mixed, Some(&ids), None);
        assert_eq!(s[0], ("training".to_string(), vec![0]));
        assert_eq!(s[3], ("external".to_string(), vec![1]));
    }
}
