#![allow(clippy::unwrap_used)]
//! Prints the evaluation set's errors (false positives on hard negatives, missed positives)
//! on a database of imported lists: `cargo run --release -p molehunt-screen --example fps -- DB`.
use molehunt_screen::Screener;
use molehunt_screen::eval::build_eval_set;

fn main() {
    let db = std::path::PathBuf::from(std::env::args().nth(1).expect("database path"));
    let s = Screener::load(&db).unwrap().unwrap();
    for c in build_eval_set(&s, 200, 42) {
        let got = s.screen(&c.query);
        match &c.expect {
            None => {
                if let Some(m) = got.first() {
                    println!(
                        "FP [{}] {:?} dob {:?} -> {} ({}) {:.3} | {}",
                        c.kind,
                        c.query.name,
                        c.query.dob,
                        m.matched_name,
                        m.entity_id,
                        m.score,
                        m.explanation
                    );
                }
            }
            Some(want) => {
                if !got
                    .iter()
                    .any(|m| (&m.list, &m.entity_id) == (&want.0, &want.1))
                {
                    let all = s.screen_exhaustive(&molehunt_screen::Query {
                        threshold: 0.0,
                        ..c.query.clone()
                    });
                    let best = all
                        .iter()
                        .find(|m| (&m.list, &m.entity_id) == (&want.0, &want.1));
                    println!(
                        "FN [{}] {:?} want {} -> {:?}",
                        c.kind,
                        c.query.name,
                        want.1,
                        best.map(|m| format!(
                            "{} {:.3} {}",
                            m.matched_name, m.score, m.explanation
                        ))
                    );
                }
            }
        }
    }
}
