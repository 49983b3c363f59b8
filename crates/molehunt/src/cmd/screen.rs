//! `molehunt screen`: screen a name, a wallet or a CSV batch against the imported lists.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use molehunt_screen::{DEFAULT_THRESHOLD, EntityType, Match, Query, Screener};
use serde_json::json;

/// Output formats of `screen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScreenFormat {
    Table,
    Json,
    Jsonl,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["name", "wallet", "batch"])))]
pub struct ScreenArgs {
    #[command(flatten)]
    db: super::DbArg,
    /// Name of a person, organisation, vessel or aircraft
    #[arg(long)]
    name: Option<String>,
    /// Crypto wallet address (exact match, per-chain case rules)
    #[arg(long)]
    wallet: Option<String>,
    /// Chain of --wallet (XBT, ETH, USDT, TRX ...); any chain when absent
    #[arg(long, requires = "wallet")]
    chain: Option<String>,
    /// CSV with a header and columns `id,name` and optional `dob,country,type`
    #[arg(long, value_name = "FILE.csv")]
    batch: Option<PathBuf>,
    /// Date of birth, YYYY or YYYY-MM-DD
    #[arg(long)]
    dob: Option<String>,
    /// Country, ISO 3166 alpha-2
    #[arg(long)]
    country: Option<String>,
    /// Entity type: person, organization, vessel or aircraft
    #[arg(long = "type", value_name = "TYPE")]
    entity_type: Option<EntityType>,
    /// Maximum matches per query
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Minimum score of a reported match
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f64,
    /// Output format (table or json for --name/--wallet, jsonl for --batch)
    #[arg(long, value_enum)]
    format: Option<ScreenFormat>,
}

fn load(db: &std::path::Path, names: bool) -> anyhow::Result<Screener> {
    let loaded = if names {
        Screener::load(db)
    } else {
        Screener::load_exact(db)
    };
    loaded
        .with_context(|| format!("loading sanctions lists from `{}`", db.display()))?
        .with_context(|| {
            format!(
                "no sanctions list imported in `{}`: run `molehunt lists import FILE`",
                db.display()
            )
        })
}

fn check_dob(dob: &str) -> anyhow::Result<()> {
    let ok = match dob.len() {
        4 => dob.bytes().all(|b| b.is_ascii_digit()),
        10 => jiff::civil::Date::strptime("%Y-%m-%d", dob).is_ok(),
        _ => false,
    };
    if !ok {
        bail!("date of birth `{dob}`: expected YYYY or YYYY-MM-DD");
    }
    Ok(())
}

fn check_country(c: &str) -> anyhow::Result<String> {
    let up = c.trim().to_ascii_uppercase();
    if up.len() != 2 || !up.bytes().all(|b| b.is_ascii_alphabetic()) {
        bail!("country `{c}`: expected an ISO 3166 alpha-2 code such as KP");
    }
    Ok(up)
}

pub fn run(args: ScreenArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!(
            "threshold `{}`: expected a number between 0 and 1",
            args.threshold
        );
    }
    if let Some(path) = &args.batch {
        return batch(&args, path);
    }
    // A wallet lookup needs no name index.
    let screener = load(&args.db.db, args.wallet.is_none())?;
    let format = args.format.unwrap_or(ScreenFormat::Table);
    let mut out = std::io::stdout().lock();
    if let Some(addr) = &args.wallet {
        let matches = screener.screen_wallet(addr, args.chain.as_deref());
        if format == ScreenFormat::Table {
            if matches.is_empty() {
                writeln!(out, "no listed wallet matches `{addr}`")?;
            }
            for m in &matches {
                writeln!(
                    out,
                    "{}  {}  {}  {}  {}",
                    m.list, m.entity_id, m.chain, m.address, m.name
                )?;
            }
        } else {
            let v = json!({"query": {"wallet": addr, "chain": args.chain}, "matches": matches});
            writeln!(out, "{}", serde_json::to_string(&v)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let name = args.name.clone().unwrap_or_default();
    if let Some(d) = &args.dob {
        check_dob(d)?;
    }
    let country = args.country.as_deref().map(check_country).transpose()?;
    let q = Query {
        name,
        dob: args.dob.clone(),
        country,
        entity_type: args.entity_type,
        limit: args.limit,
        threshold: args.threshold,
    };
    let matches = screener.screen(&q);
    if format == ScreenFormat::Table {
        print_table(&mut out, &matches)?;
    } else {
        let v = json!({
            "query": {"name": q.name, "dob": q.dob, "country": q.country, "type": q.entity_type, "limit": q.limit, "threshold": q.threshold},
            "matches": matches,
        });
        writeln!(out, "{}", serde_json::to_string(&v)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(out: &mut impl Write, matches: &[Match]) -> anyhow::Result<()> {
    if matches.is_empty() {
        writeln!(out, "no match at or above the threshold")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<7} {:<6} {:<16} {:<12} {:<32} MATCHED NAME",
        "SCORE", "MATCH", "LIST", "ENTITY", "NAME"
    )?;
    for m in matches {
        writeln!(
            out,
            "{:<7.4} {:<6} {:<16} {:<12} {:<32} {}",
            m.score, m.is_match, m.list, m.entity_id, m.name, m.matched_name
        )?;
        writeln!(out, "        {}", m.explanation)?;
    }
    Ok(())
}

fn batch(args: &ScreenArgs, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    if matches!(args.format, Some(ScreenFormat::Table)) {
        bail!("--batch writes JSON lines: use --format jsonl");
    }
    let file = path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("opening `{file}`"))?;
    let headers = rdr
        .headers()
        .with_context(|| format!("`{file}`: reading the header"))?
        .clone();
    let col = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
    let (Some(ci), Some(cn)) = (col("id"), col("name")) else {
        bail!(
            "`{file}`: the header must name the columns `id` and `name` (optional `dob`, `country`, `type`)"
        );
    };
    let (cd, cc, ct) = (col("dob"), col("country"), col("type"));
    let mut ids = Vec::new();
    let mut queries = Vec::new();
    for rec in rdr.records() {
        let rec = rec.with_context(|| format!("`{file}`: bad CSV"))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let dob = get(cd);
        if let Some(d) = &dob {
            check_dob(d).with_context(|| format!("`{file}` line {line}, field `dob`"))?;
        }
        let country = get(cc)
            .map(|c| check_country(&c))
            .transpose()
            .with_context(|| format!("`{file}` line {line}, field `country`"))?;
        let entity_type = match get(ct) {
            Some(t) => Some(EntityType::parse(&t).with_context(|| {
                format!("`{file}` line {line}, field `type`: unknown type `{t}`")
            })?),
            None => None,
        };
        ids.push(get(Some(ci)).unwrap_or_default());
        queries.push(Query {
            name: get(Some(cn)).unwrap_or_default(),
            dob,
            country,
            entity_type,
            limit: args.limit,
            threshold: args.threshold,
        });
    }
    let screener = load(&args.db.db, true)?;
    let results = screener.screen_batch(&queries);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (id, matches) in ids.iter().zip(results) {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&json!({"id": id, "matches": matches}))?
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
