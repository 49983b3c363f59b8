//! `molehunt audit ...`: the tamper-evident audit ledger (crate `molehunt-ledger`).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use molehunt_ledger::{
    ConsistencyProof, Hash, InclusionProof, Ledger, LedgerError, LedgerOptions, LedgerReader,
    VerifierKey, default_key_path, leaf_hash, load_verifier_key, verify_checkpoint,
    verify_consistency, verify_inclusion,
};
use serde_json::json;

use super::{DbArg, Format};

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Append one entry per line of standard input (the line's bytes without its newline);
    /// prints the first and last index
    Append {
        #[command(flatten)]
        db: DbArg,
        /// `table` prints `<first> <last>`; `json` prints {"first","last","count"}
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Sign a checkpoint for the current tree if it grew, and print the latest signed note
    Checkpoint {
        #[command(flatten)]
        db: DbArg,
    },
    /// Print the verifier key (`<name>+<hash>+<key>`) that checks this log's checkpoints
    Key {
        #[command(flatten)]
        db: DbArg,
    },
    /// Inclusion proof of one entry (against the latest checkpoint unless --size is given)
    Prove {
        #[command(flatten)]
        db: DbArg,
        /// Index of the entry
        #[arg(long)]
        index: u64,
        /// Tree size to prove against (default: the latest checkpoint's)
        #[arg(long)]
        size: Option<u64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Consistency proof between two tree sizes (--to defaults to the latest checkpoint's)
    Consistency {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: Option<u64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Recompute every leaf and the tree, check stored hashes and signed checkpoints; exits
    /// 1 naming the first bad index. Read-only: never creates a key or a table
    Verify {
        #[command(flatten)]
        db: DbArg,
        /// Verifier key string (`<name>+<hash>+<key>`, from `audit key`) to check checkpoint
        /// signatures with (default: derived from the key file `<db>.ledger.key` if present)
        #[arg(long)]
        key: Option<String>,
        /// Without a verifier key: check the tree, stored hashes and checkpoint roots but NOT
        /// the signatures (a rewritten but self-consistent log passes this check)
        #[arg(long, conflicts_with = "key")]
        tree_only: bool,
    },
    /// Print entries as JSON lines
    Show {
        #[command(flatten)]
        db: DbArg,
        /// First index (inclusive)
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// Last index (exclusive; default: the end)
        #[arg(long)]
        to: Option<u64>,
    },
    /// Check a proof (JSON from `prove` or `consistency`) without the database, optionally
    /// against a signed checkpoint note and verifier key
    VerifyProof {
        /// The proof JSON file (`-` for standard input)
        #[arg(long)]
        proof: PathBuf,
        /// A signed checkpoint note whose root the proof must reach
        #[arg(long, requires = "key")]
        checkpoint: Option<PathBuf>,
        /// The verifier key of the checkpoint's log
        #[arg(long)]
        key: Option<String>,
    },
}

/// Opens the ledger for writing (creating tables and, on first use, the signing key).
fn open(db: &Path) -> anyhow::Result<Ledger> {
    Ledger::open(db, LedgerOptions::default())
        .with_context(|| format!("cannot open the audit ledger in `{}`", db.display()))
}

/// Opens the ledger read-only (nothing is created).
fn open_read(db: &Path) -> anyhow::Result<LedgerReader> {
    LedgerReader::open(db)
        .with_context(|| format!("cannot read the audit ledger in `{}`", db.display()))
}

/// The verifier key: from the key file when it exists, else from a newly opened ledger
/// (which creates the key only for a log without signed checkpoints).
fn key(db: &Path) -> anyhow::Result<VerifierKey> {
    let path = default_key_path(db);
    match load_verifier_key(&path).context("cannot read the signing key")? {
        Some(k) => Ok(k),
        None => Ok(open(db)?.verifier_key().clone()),
    }
}

pub fn run(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Append { db, format } => append(&db.db, format),
        AuditCommand::Checkpoint { db } => {
            let cp = open(&db.db)?
                .checkpoint()
                .context("cannot sign a checkpoint")?;
            print!("{}", cp.note);
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Key { db } => {
            println!("{}", key(&db.db)?);
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Prove {
            db,
            index,
            size,
            format,
        } => {
            let p = open_read(&db.db)?.prove_inclusion(index, size)?;
            print_json_or(format, &inclusion_json(&p), || {
                println!("entry {} in tree of size {}", p.index, p.tree_size);
                println!("leaf hash: {}", hex::encode(leaf_hash(&p.leaf)));
                println!("root:      {}", hex::encode(p.root));
                for (i, h) in p.proof.iter().enumerate() {
                    println!("proof[{i}]:  {}", hex::encode(h));
                }
            })
        }
        AuditCommand::Consistency {
            db,
            from,
            to,
            format,
        } => {
            let p = open_read(&db.db)?.prove_consistency(from, to)?;
            print_json_or(format, &consistency_json(&p), || {
                println!("tree {} -> {}", p.first, p.second);
                println!("first root:  {}", hex::encode(p.first_root));
                println!("second root: {}", hex::encode(p.second_root));
                for (i, h) in p.proof.iter().enumerate() {
                    println!("proof[{i}]:    {}", hex::encode(h));
                }
            })
        }
        AuditCommand::Verify { db, key, tree_only } => verify(&db.db, key.as_deref(), tree_only),
        AuditCommand::Show { db, from, to } => show(&db.db, from, to),
        AuditCommand::VerifyProof {
            proof,
            checkpoint,
            key,
        } => verify_proof(&proof, checkpoint.as_deref(), key.as_deref()),
    }
}

fn print_json_or(
    format: Format,
    value: &serde_json::Value,
    table: impl FnOnce(),
) -> anyhow::Result<ExitCode> {
    match format {
        Format::Json => println!("{}", serde_json::to_string(value)?),
        Format::Table => table(),
    }
    Ok(ExitCode::SUCCESS)
}

fn hexes(hs: &[Hash]) -> Vec<String> {
    hs.iter().map(hex::encode).collect()
}

fn inclusion_json(p: &InclusionProof) -> serde_json::Value {
    json!({
        "index": p.index,
        "tree_size": p.tree_size,
        "leaf": B64.encode(&p.leaf),
        "leaf_hash": hex::encode(leaf_hash(&p.leaf)),
        "proof": hexes(&p.proof),
        "root": hex::encode(p.root),
    })
}

fn consistency_json(p: &ConsistencyProof) -> serde_json::Value {
    json!({
        "first": p.first,
        "second": p.second,
        "proof": hexes(&p.proof),
        "first_root": hex::encode(p.first_root),
        "second_root": hex::encode(p.second_root),
    })
}

/// Lines are read as bytes (entries need not be UTF-8) and appended in large batches.
fn append(db: &Path, format: Format) -> anyhow::Result<ExitCode> {
    const BATCH: usize = 8192;
    let ledger = open(db)?;
    let mut input = std::io::stdin().lock();
    let mut batch: Vec<Vec<u8>> = Vec::with_capacity(BATCH);
    let (mut first, mut last) = (None, None);
    let mut flush = |batch: &mut Vec<Vec<u8>>| -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let r = ledger
            .append_owned(std::mem::take(batch))
            .context("cannot append")?;
        first.get_or_insert(r.start);
        last = Some(r.end - 1);
        Ok(())
    };
    let mut line_no = 0u64;
    loop {
        let mut line = Vec::new();
        let n = input
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read standard input after line {line_no}"))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        batch.push(line);
        if batch.len() >= BATCH {
            flush(&mut batch)?;
        }
    }
    flush(&mut batch)?;
    drop(ledger); // signs the closing checkpoint
    match (first, last) {
        (Some(f), Some(l)) => match format {
            Format::Table => println!("{f} {l}"),
            Format::Json => println!("{}", json!({"first": f, "last": l, "count": l - f + 1})),
        },
        _ => eprintln!("no entries on standard input"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Read-only: the key comes from `--key`, else from the key file beside the database; with
/// neither, only `--tree-only` proceeds (and says that signatures were not checked).
fn verify(db: &Path, key: Option<&str>, tree_only: bool) -> anyhow::Result<ExitCode> {
    let key = match key {
        Some(k) => Some(VerifierKey::parse(k).context("bad --key")?),
        None if tree_only => None,
        None => {
            let path = default_key_path(db);
            let k = load_verifier_key(&path).context("cannot read the signing key")?;
            if k.is_none() {
                bail!(
                    "cannot check checkpoint signatures: the key file `{}` is absent (a copied \
                     database?); pass the log's verifier key with `--key <verifier key string>` \
                     (printed by `molehunt audit key` where the key lives), or `--tree-only` to \
                     check the tree without signatures",
                    path.display()
                );
            }
            k
        }
    };
    let ledger = open_read(db)?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "verifying {bar:40} {pos}/{len} entries ({per_sec}, {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let mut progress = |done, total| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let result = match &key {
        Some(k) => ledger.verify(k, &mut progress),
        None => ledger.verify_tree_only(&mut progress),
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    match result {
        Ok(s) if s.signatures_checked => {
            println!(
                "ok: {} entries, {} signed checkpoints, root {}",
                s.size,
                s.checkpoints,
                hex::encode(s.root)
            );
            Ok(ExitCode::SUCCESS)
        }
        Ok(s) => {
            println!(
                "ok (tree only, signatures NOT checked): {} entries, {} checkpoint roots, root {}",
                s.size,
                s.checkpoints,
                hex::encode(s.root)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(LedgerError::Tampered(t)) => {
            eprintln!("verification failed at index {}: {}", t.index, t.detail);
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e).context("cannot verify the ledger"),
    }
}

fn show(db: &Path, from: u64, to: Option<u64>) -> anyhow::Result<ExitCode> {
    let ledger = open_read(db)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut write_err: Option<std::io::Error> = None;
    ledger.for_each_entry(from..to.unwrap_or(u64::MAX), &mut |index, data| {
        let v = match serde_json::from_slice::<serde_json::Value>(data) {
            Ok(entry) => json!({"index": index, "entry": entry}),
            Err(_) => match std::str::from_utf8(data) {
                Ok(text) => json!({"index": index, "text": text}),
                Err(_) => json!({"index": index, "base64": B64.encode(data)}),
            },
        };
        if let Err(e) = writeln!(out, "{v}") {
            write_err.get_or_insert(e);
        }
        Ok(())
    })?;
    out.flush()?;
    if let Some(e) = write_err
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e).context("cannot write to standard output");
    }
    Ok(ExitCode::SUCCESS)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        return Ok(s);
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))
}

fn hash_field(v: &serde_json::Value, field: &str) -> anyhow::Result<Hash> {
    let s = v
        .get(field)
        .and_then(|x| x.as_str())
        .with_context(|| format!("missing `{field}`"))?;
    hex::decode(s)
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("`{field}` is not a 32-byte hex hash"))
}

fn hash_list(v: &serde_json::Value) -> anyhow::Result<Vec<Hash>> {
    let arr = v
        .get("proof")
        .and_then(|x| x.as_array())
        .context("missing `proof` array")?;
    arr.iter()
        .enumerate()
        .map(|(i, h)| {
            h.as_str()
                .and_then(|s| hex::decode(s).ok())
                .and_then(|b| b.try_into().ok())
                .with_context(|| format!("`proof[{i}]` is not a 32-byte hex hash"))
        })
        .collect()
}

fn u64_field(v: &serde_json::Value, field: &str) -> anyhow::Result<u64> {
    v.get(field)
        .and_then(|x| x.as_u64())
        .with_context(|| format!("missing number `{field}`"))
}

fn verify_proof(
    proof: &Path,
    checkpoint: Option<&Path>,
    key: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let v: serde_json::Value = serde_json::from_str(&read_text(proof)?)
        .with_context(|| format!("`{}` is not JSON", proof.display()))?;
    let signed = match (checkpoint, key) {
        (Some(cp), Some(k)) => {
            let key = VerifierKey::parse(k).context("bad --key")?;
            Some(verify_checkpoint(&read_text(cp)?, &key).context("checkpoint does not verify")?)
        }
        _ => None,
    };
    let (size, root) = if v.get("index").is_some() {
        let (index, size) = (u64_field(&v, "index")?, u64_field(&v, "tree_size")?);
        let leaf = v
            .get("leaf")
            .and_then(|x| x.as_str())
            .context("missing `leaf`")?;
        let leaf = B64.decode(leaf).context("`leaf` is not base64")?;
        let root = hash_field(&v, "root")?;
        verify_inclusion(index, size, &leaf_hash(&leaf), &hash_list(&v)?, &root)
            .context("inclusion proof does not verify")?;
        (size, root)
    } else {
        let (first, second) = (u64_field(&v, "first")?, u64_field(&v, "second")?);
        let root = hash_field(&v, "second_root")?;
        verify_consistency(
            first,
            second,
            &hash_list(&v)?,
            &hash_field(&v, "first_root")?,
            &root,
        )
        .context("consistency proof does not verify")?;
        (second, root)
    };
    if let Some(cp) = signed {
        if cp.size != size || cp.root != root {
            bail!(
                "the proof is for tree size {size}, the checkpoint for size {}",
                cp.size
            );
        }
        println!(
            "ok: proof verifies against the signed checkpoint of `{}` at size {size}",
            cp.origin
        );
    } else {
        println!(
            "ok: proof verifies against root {} at size {size}",
            hex::encode(root)
        );
    }
    Ok(ExitCode::SUCCESS)
}
