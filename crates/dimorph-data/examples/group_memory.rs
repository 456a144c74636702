//! Peak memory of reading a value column split by a text group column, two ways (issue 15,
//! item 7; run by bench/refint_memory.sh under /usr/bin/time -v):
//!
//! * `frame`: the whole file as a [`dimorph_data::Frame`] (text columns as one `String` per row),
//!   the group labels cloned per row and the values collected per label — what `refint` did
//!   before the dictionary-encoded reader;
//! * `coded`: [`dimorph_data::read_coded`] (values as `f64`, groups as `u32` codes), the values
//!   collected per code — what `refint` does now.
//!
//! `cargo run --release -p dimorph-data --example group_memory -- frame|coded FILE VALUE GROUP`

use std::collections::BTreeMap;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 5 {
        eprintln!("usage: group_memory frame|coded FILE VALUE GROUP");
        std::process::exit(2);
    }
    let (mode, file, value, group) = (&a[1], &a[2], &a[3], &a[4]);
    let groups: Vec<(String, usize)> = match mode.as_str() {
        "frame" => {
            let f = dimorph_data::read_table(file).expect("read");
            let x = f.numeric(value).expect("value column");
            let labels: Vec<Option<String>> = match &f.column(group).expect("group column").data {
                dimorph_data::ColumnData::Text { values, .. } => values.clone(),
                dimorph_data::ColumnData::Num(v) => v.iter().map(|e| Some(e.to_string())).collect(),
            };
            let mut g: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            for (v, l) in x.iter().zip(&labels) {
                if let Some(l) = l {
                    g.entry(l.clone()).or_default().push(*v);
                }
            }
            g.into_iter().map(|(k, v)| (k, v.len())).collect()
        }
        "coded" => {
            let ro = dimorph_data::ReadOptions::default();
            let c = dimorph_data::read_coded(file, &ro, &[value], &[group]).expect("read");
            let x = &c.numeric(value).expect("value column").values;
            let codes = c.codes(group).expect("group column");
            let mut per: Vec<Vec<f64>> = vec![Vec::new(); codes.levels.len()];
            for (v, &k) in x.iter().zip(&codes.codes) {
                if k != dimorph_data::coded::MISSING {
                    per[k as usize].push(*v);
                }
            }
            codes.levels.iter().cloned().zip(per.iter().map(Vec::len)).collect()
        }
        m => {
            eprintln!("unknown mode '{m}' (frame or coded)");
            std::process::exit(2);
        }
    };
    for (k, n) in groups {
        println!("{k}: {n}");
    }
}
