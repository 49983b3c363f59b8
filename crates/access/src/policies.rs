//! Loading a policies directory: `*.cedar` policy files, an optional `*.cedarschema` (validated
//! in strict mode) and an optional `entities.json`, with Cedar's diagnostics rendered as text.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::SystemTime;

use cedar_policy::{
    Entities, PolicyId, PolicySet, Schema, SchemaFragment, ValidationMode, Validator,
};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use serde_json::Value;

/// Why a policies directory was refused.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{dir}` has no `*.cedar` policy file")]
    Empty { dir: PathBuf },
    #[error("policies in `{dir}` are invalid:\n{diagnostics}")]
    Invalid { dir: PathBuf, diagnostics: String },
}

/// A loaded, validated policies directory.
#[derive(Debug, Clone)]
pub struct PolicyBundle {
    pub dir: PathBuf,
    pub policies: PolicySet,
    pub schema: Option<Schema>,
    /// The `entities.json` array as written (empty when absent).
    pub entities: Vec<Value>,
    /// The files read and their modification times, to notice changes.
    pub stamp: DirStamp,
    /// Full names of the schema's enumerated entity types (whose ids the schema checks), or
    /// `None` when they could not be listed.
    pub(crate) enum_types: Option<Vec<String>>,
}

/// Diagnostics of `policy check`.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub policy_files: usize,
    pub policies: usize,
    pub schema_files: usize,
    pub entities: usize,
    /// Rendered errors, each naming its file.
    pub errors: Vec<String>,
    /// Rendered warnings (validation warnings do not refuse a set).
    pub warnings: Vec<String>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Names, sizes and modification times of the files of a policies directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirStamp(Vec<(PathBuf, u64, Option<SystemTime>)>);

impl DirStamp {
    /// The current stamp of `dir` (files that count: `*.cedar`, `*.cedarschema`, `entities.json`).
    pub fn of(dir: &Path) -> Result<DirStamp, PolicyError> {
        let mut out = Vec::new();
        for path in relevant_files(dir)? {
            let meta = std::fs::metadata(&path).map_err(|source| PolicyError::Io {
                path: path.clone(),
                source,
            })?;
            out.push((path, meta.len(), meta.modified().ok()));
        }
        Ok(DirStamp(out))
    }
}

fn relevant_files(dir: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let io = |source| PolicyError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with('.') || !path.is_file() {
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if ext == "cedar" || ext == "cedarschema" || name == "entities.json" {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn render(diag: &dyn Diagnostic) -> String {
    let mut out = String::new();
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    if handler.render_report(&mut out, diag).is_err() {
        out = diag.to_string();
    }
    out.trim_end().to_string()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Everything `check` learned, plus the pieces to build a bundle.
struct Loaded {
    report: CheckReport,
    policies: PolicySet,
    schema: Option<Schema>,
    enum_types: Option<Vec<String>>,
    entities: Vec<Value>,
}

/// The full names of the enumerated entity types declared in `fragment` (from its JSON form:
/// `{"<namespace>": {"entityTypes": {"<name>": {"enum": [..]}}}}`).
fn enum_types(fragment: &SchemaFragment) -> Option<Vec<String>> {
    let json: Value = serde_json::from_str(&fragment.to_json_string().ok()?).ok()?;
    let mut out = Vec::new();
    for (namespace, body) in json.as_object()? {
        let Some(types) = body.get("entityTypes") else {
            continue;
        };
        for (name, ty) in types.as_object()? {
            if ty.get("enum").is_some() {
                out.push(if namespace.is_empty() {
                    name.clone()
                } else {
                    format!("{namespace}::{name}")
                });
            }
        }
    }
    Some(out)
}

fn load(dir: &Path) -> Result<Loaded, PolicyError> {
    let files = relevant_files(dir)?;
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    let mut report = CheckReport::default();
    let mut policies = PolicySet::new();

    // Schema fragments first: policies are validated against the joined schema.
    let mut fragments = Vec::new();
    let mut enums: Option<Vec<String>> = Some(Vec::new());
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "cedarschema"))
    {
        report.schema_files += 1;
        let text = read(path)?;
        match SchemaFragment::from_cedarschema_str(&text) {
            Ok((fragment, warnings)) => {
                match (enum_types(&fragment), enums.as_mut()) {
                    (Some(found), Some(all)) => all.extend(found),
                    _ => enums = None,
                }
                fragments.push(fragment);
                for w in warnings {
                    report
                        .warnings
                        .push(format!("{}: {}", file_name(path), render(&w)));
                }
            }
            Err(e) => report
                .errors
                .push(format!("{}: {}", file_name(path), render(&e))),
        }
    }
    let mut schema = None;
    if !fragments.is_empty() && report.errors.is_empty() {
        match Schema::from_schema_fragments(fragments) {
            Ok(s) => schema = Some(s),
            Err(e) => report.errors.push(format!("schema: {}", render(&e))),
        }
    }

    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "cedar"))
    {
        report.policy_files += 1;
        let text = read(path)?;
        let name = file_name(path);
        let set = match PolicySet::from_str(&text) {
            Ok(set) => set,
            Err(e) => {
                report.errors.push(format!("{name}: {}", render(&e)));
                continue;
            }
        };
        // Cedar numbers policies `policy0`, `policy1`, ... per file: give them stable names,
        // the `@id` annotation when present, else `<file>#<n>`.
        let mut items: Vec<_> = set.policies().collect();
        items.sort_by_key(|p| {
            p.id()
                .to_string()
                .trim_start_matches("policy")
                .parse::<usize>()
                .unwrap_or(usize::MAX)
        });
        for (n, policy) in items.into_iter().enumerate() {
            let id = policy
                .annotation("id")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{name}#{n}"));
            if let Err(e) = policies.add(policy.new_id(PolicyId::new(&id))) {
                report
                    .errors
                    .push(format!("{name}: policy `{id}`: {}", render(&e)));
            }
        }
        for template in set.templates() {
            let id = template
                .annotation("id")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{name}#t{}", template.id()));
            if let Err(e) = policies.add_template(template.new_id(PolicyId::new(&id))) {
                report
                    .errors
                    .push(format!("{name}: template `{id}`: {}", render(&e)));
            }
        }
    }
    report.policies = policies.num_of_policies();
    if report.policy_files == 0 {
        return Err(PolicyError::Empty {
            dir: dir.to_path_buf(),
        });
    }

    if let Some(schema) = &schema {
        let result = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        for e in result.validation_errors() {
            report.errors.push(format!("validation: {}", render(e)));
        }
        for w in result.validation_warnings() {
            report.warnings.push(format!("validation: {}", render(w)));
        }
    }

    let mut entities = Vec::new();
    let entities_path = dir.join("entities.json");
    if entities_path.is_file() {
        let text = read(&entities_path)?;
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Array(list)) => {
                report.entities = list.len();
                match Entities::from_json_value(Value::Array(list.clone()), schema.as_ref()) {
                    Ok(_) => entities = list,
                    Err(e) => report.errors.push(format!("entities.json: {}", render(&e))),
                }
            }
            Ok(_) => report
                .errors
                .push("entities.json: expected a JSON array of entities".to_string()),
            Err(e) => report.errors.push(format!(
                "entities.json: line {}, column {}: {e}",
                e.line(),
                e.column()
            )),
        }
    }
    Ok(Loaded {
        report,
        policies,
        schema,
        enum_types: enums,
        entities,
    })
}

/// Check a policies directory and report every diagnostic (does not stop at the first).
pub fn check_dir(dir: &Path) -> Result<CheckReport, PolicyError> {
    load(dir).map(|l| l.report)
}

impl PolicyBundle {
    /// Load and validate a policies directory; any error refuses the whole set.
    pub fn load(dir: &Path) -> Result<PolicyBundle, PolicyError> {
        let stamp = DirStamp::of(dir)?;
        let loaded = load(dir)?;
        if !loaded.report.is_ok() {
            return Err(PolicyError::Invalid {
                dir: dir.to_path_buf(),
                diagnostics: loaded.report.errors.join("\n"),
            });
        }
        Ok(PolicyBundle {
            dir: dir.to_path_buf(),
            policies: loaded.policies,
            schema: loaded.schema,
            enum_types: loaded.enum_types,
            entities: loaded.entities,
            stamp,
        })
    }

    /// A bundle from policy text (no directory), for tests and embedding.
    pub fn from_text(
        policies: &str,
        schema: Option<&str>,
        entities: Vec<Value>,
    ) -> Result<PolicyBundle, PolicyError> {
        let dir = std::env::temp_dir().join(format!(
            "molehunt-policies-{}",
            crate::tokens::random_hex(8)
        ));
        let io = |source| PolicyError::Io {
            path: dir.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).map_err(io);
        write("policies.cedar", policies)?;
        if let Some(schema) = schema {
            write("schema.cedarschema", schema)?;
        }
        if !entities.is_empty() {
            write("entities.json", &Value::Array(entities).to_string())?;
        }
        let bundle = PolicyBundle::load(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        bundle
    }
}
