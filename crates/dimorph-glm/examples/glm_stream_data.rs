//! Writes a seeded logistic-regression table as Parquet for `bench/glm_stream.sh`: ROWS rows of
//! x1..x20 (standard normal) and y ~ Bernoulli(logit⁻¹(0.2 + Σ βⱼ xⱼ), βⱼ = (−1)ʲ 0.1 j/20), in
//! row groups of GROUP rows (default 100,000), written group by group (the writer holds one).
//!
//! Run: `cargo run --release -p dimorph-glm --example glm_stream_data -- OUT.parquet ROWS [GROUP]`.
//! Not part of `cargo test`.

use dimorph_core::rng::Rng;
use parquet::data_type::DoubleType;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::sync::Arc;

const P: usize = 20;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: glm_stream_data OUT.parquet ROWS [GROUP]");
        std::process::exit(2);
    }
    let parse = |s: &str| -> usize {
        s.parse().unwrap_or_else(|_| {
            eprintln!("not a row count: {s}");
            std::process::exit(2)
        })
    };
    let rows = parse(&args[2]);
    let group = args.get(3).map_or(100_000, |s| parse(s)).max(1);
    let fields: String = (1..=P).map(|j| format!("required double x{j}; ")).collect();
    let schema = parse_message_type(&format!("message bench {{ required double y; {fields}}}")).expect("schema");
    let file = std::fs::File::create(&args[1]).unwrap_or_else(|e| {
        eprintln!("{}: {e}", args[1]);
        std::process::exit(2)
    });
    let props = WriterProperties::builder().build();
    let mut w = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props)).expect("writer");
    let beta: Vec<f64> = (1..=P)
        .map(|j| if j % 2 == 0 { 0.1 } else { -0.1 } * j as f64 / P as f64)
        .collect();
    let mut rng = Rng::new(20261126);
    let mut done = 0;
    while done < rows {
        let m = group.min(rows - done);
        let mut cols: Vec<Vec<f64>> = (0..=P).map(|_| Vec::with_capacity(m)).collect();
        for _ in 0..m {
            let mut eta = 0.2;
            for j in 0..P {
                let x = rng.normal();
                eta += beta[j] * x;
                cols[j + 1].push(x);
            }
            let y = f64::from(u8::from(rng.uniform() < 1.0 / (1.0 + (-eta).exp())));
            cols[0].push(y);
        }
        let mut rg = w.next_row_group().expect("row group");
        for c in &cols {
            let mut cw = rg.next_column().expect("column").expect("a column");
            cw.typed::<DoubleType>().write_batch(c, None, None).expect("write");
            cw.close().expect("close column");
        }
        rg.close().expect("close row group");
        done += m;
    }
    w.close().expect("close file");
}
