//! OpenID AuthZEN Authorization API 1.0 request and response shapes.
//!
//! Only the shapes live here; [`crate::Pdp`] maps them to Cedar.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The subject of a request: who asks. Unknown top-level fields are kept and taken as properties
/// (earlier drafts of the API put attributes there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The resource of a request: what is accessed. Same shape as [`Subject`].
pub type Resource = Subject;

/// The action of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub name: String,
    /// Cedar actions carry no request attributes, so policies see these in the context as
    /// `context.action_properties` (see [`crate::pdp::CONTEXT_ACTION_PROPERTIES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Map<String, Value>>,
}

impl Subject {
    /// A subject or resource with no properties.
    pub fn new(kind: impl Into<String>, id: impl Into<String>) -> Self {
        Subject {
            kind: kind.into(),
            id: id.into(),
            properties: None,
            extra: Map::new(),
        }
    }

    /// The attributes Cedar sees: the top-level extra fields, overridden by `properties`.
    pub fn attributes(&self) -> Map<String, Value> {
        let mut out = self.extra.clone();
        if let Some(props) = &self.properties {
            for (k, v) in props {
                out.insert(k.clone(), v.clone());
            }
        }
        out
    }

    /// [`Subject::attributes`], borrowed when only one of the two places holds any (the
    /// usual case), so nothing is copied.
    pub fn attributes_ref(&self) -> std::borrow::Cow<'_, Map<String, Value>> {
        use std::borrow::Cow;
        match &self.properties {
            Some(props) if self.extra.is_empty() => Cow::Borrowed(props),
            Some(props) if props.is_empty() => Cow::Borrowed(&self.extra),
            None => Cow::Borrowed(&self.extra),
            Some(_) => Cow::Owned(self.attributes()),
        }
    }

    /// Whether the request carries any attribute for this entity.
    pub fn has_attributes(&self) -> bool {
        !self.extra.is_empty() || self.properties.as_ref().is_some_and(|p| !p.is_empty())
    }
}

impl Action {
    pub fn new(name: impl Into<String>) -> Self {
        Action {
            name: name.into(),
            properties: None,
        }
    }
}

/// `POST /access/v1/evaluation` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationRequest {
    pub subject: Subject,
    pub action: Action,
    pub resource: Resource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Map<String, Value>>,
}

/// A decision and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationResponse {
    pub decision: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// One entry of the `evaluations` array: any field left out comes from the top level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PartialEvaluation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Map<String, Value>>,
}

/// How a batch is evaluated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationsSemantic {
    /// Evaluate every entry (the default).
    #[default]
    ExecuteAll,
    /// Stop after the first deny.
    DenyOnFirstDeny,
    /// Stop after the first permit.
    PermitOnFirstPermit,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvaluationsOptions {
    #[serde(default)]
    pub evaluations_semantic: EvaluationsSemantic,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `POST /access/v1/evaluations` request: defaults at the top level and partial entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvaluationsRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluations: Option<Vec<PartialEvaluation>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<EvaluationsOptions>,
}

/// `POST /access/v1/evaluations` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationsResponse {
    pub evaluations: Vec<EvaluationResponse>,
}

/// The answer to an evaluations request: a batch, or one decision when the request had no
/// `evaluations` array (as the API specifies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BatchAnswer {
    Many(EvaluationsResponse),
    One(EvaluationResponse),
}

/// Why an entry of a batch could not be completed from the defaults.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("evaluation {index} has no `{field}` and the request gives no default")]
pub struct MissingField {
    pub index: usize,
    pub field: &'static str,
}

impl EvaluationsRequest {
    /// The full requests of the batch, each entry completed from the top-level defaults (an
    /// entry's field replaces the default whole). With no `evaluations`, the top level is the
    /// only request.
    pub fn expand(&self) -> Result<Vec<EvaluationRequest>, MissingField> {
        let single = [PartialEvaluation::default()];
        let items: &[PartialEvaluation] = match &self.evaluations {
            Some(list) if !list.is_empty() => list,
            _ => &single,
        };
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let subject = item.subject.as_ref().or(self.subject.as_ref());
                let action = item.action.as_ref().or(self.action.as_ref());
                let resource = item.resource.as_ref().or(self.resource.as_ref());
                Ok(EvaluationRequest {
                    subject: subject.cloned().ok_or(MissingField {
                        index,
                        field: "subject",
                    })?,
                    action: action.cloned().ok_or(MissingField {
                        index,
                        field: "action",
                    })?,
                    resource: resource.cloned().ok_or(MissingField {
                        index,
                        field: "resource",
                    })?,
                    context: item.context.clone().or_else(|| self.context.clone()),
                })
            })
            .collect()
    }

    /// Whether the answer is a batch (an `evaluations` array was given).
    pub fn is_batch(&self) -> bool {
        self.evaluations.as_ref().is_some_and(|l| !l.is_empty())
    }

    pub fn semantic(&self) -> EvaluationsSemantic {
        self.options
            .as_ref()
            .map(|o| o.evaluations_semantic)
            .unwrap_or_default()
    }
}

/// `GET /.well-known/authzen-configuration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PdpMetadata {
    pub policy_decision_point: String,
    pub access_evaluation_endpoint: String,
    pub access_evaluations_endpoint: String,
}

impl PdpMetadata {
    /// Metadata for a PDP served at `base` (e.g. `https://pdp.example.com`).
    pub fn for_base(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        PdpMetadata {
            policy_decision_point: base.to_string(),
            access_evaluation_endpoint: format!("{base}/access/v1/evaluation"),
            access_evaluations_endpoint: format!("{base}/access/v1/evaluations"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extra_subject_fields_become_properties() {
        let s: Subject = serde_json::from_value(json!({
            "type": "User", "id": "alice", "department": "eng", "properties": {"level": 3}
        }))
        .unwrap();
        let attrs = s.attributes();
        assert_eq!(attrs["department"], json!("eng"));
        assert_eq!(attrs["level"], json!(3));
    }

    #[test]
    fn batch_entries_take_defaults() {
        let r: EvaluationsRequest = serde_json::from_value(json!({
            "subject": {"type": "User", "id": "alice"},
            "action": {"name": "read"},
            "evaluations": [
                {"resource": {"type": "Doc", "id": "1"}},
                {"resource": {"type": "Doc", "id": "2"}, "action": {"name": "write"}}
            ],
            "options": {"evaluations_semantic": "deny_on_first_deny"}
        }))
        .unwrap();
        let all = r.expand().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].action.name, "write");
        assert_eq!(all[0].subject.id, "alice");
        assert_eq!(r.semantic(), EvaluationsSemantic::DenyOnFirstDeny);
    }

    #[test]
    fn missing_default_is_named() {
        let r: EvaluationsRequest = serde_json::from_value(json!({
            "evaluations": [{"subject": {"type": "User", "id": "a"}, "action": {"name": "x"}}]
        }))
        .unwrap();
        assert_eq!(
            r.expand().unwrap_err().to_string(),
            "evaluation 0 has no `resource` and the request gives no default"
        );
    }
}
