//! The policy decision point: AuthZEN requests evaluated by Cedar over stored entities, active
//! just-in-time grants and the subject's current risk.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use arc_swap::ArcSwap;
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicyId,
    Request,
};
use cedar_policy_core::ast::{Context as CoreContext, Value as CoreValue};
use serde_json::{Map, Value, json};
use smol_str::SmolStr;

use crate::authzen::{
    BatchAnswer, EvaluationRequest, EvaluationResponse, EvaluationsRequest, EvaluationsResponse,
    EvaluationsSemantic, MissingField,
};
use crate::clock::{Clock, SystemClock};
use crate::entities::{EntityError, EntityIndex};
use crate::grants::GrantWindow;
use crate::policies::PolicyBundle;
use crate::risk::{IpClassifier, RiskFacts, RiskInfo, RiskSource};
use crate::shapes::ShapeMemo;
use crate::values::{self, Record};

/// Keys Molehunt writes into the Cedar context (a request's own values under these keys are
/// replaced, so a PEP cannot claim a lower risk).
pub const CONTEXT_RISK: &str = "risk";
pub const CONTEXT_IP_CLASS: &str = "ip_class";
pub const CONTEXT_JIT_ROLES: &str = "jit_roles";
/// The AuthZEN `action.properties` (Cedar actions carry no request attributes, so they are
/// handed to policies in the context under this key, replacing a context key of that name).
pub const CONTEXT_ACTION_PROPERTIES: &str = "action_properties";
/// The entity type of roles granted just in time (`Role::"<role>"` becomes a parent).
pub const ROLE_TYPE: &str = "Role";

/// Policies, schema and stored entities that are swapped together.
pub struct Snapshot {
    pub bundle: Arc<PolicyBundle>,
    pub entities: EntityIndex,
    api_entities: Arc<Vec<Value>>,
    /// Parsed entity type names (of the schema, the stored entities and `Action`): Cedar parses
    /// a type name with its full parser, too slow to do three times per decision.
    types: rustc_hash::FxHashMap<String, EntityTypeName>,
    prefilter: Option<crate::prefilter::Prefilter>,
    /// Each policy's `@reason` annotation (Cedar parses the key on every `annotation` call).
    reasons: rustc_hash::FxHashMap<PolicyId, String>,
    /// Request and entity shapes Cedar's schema check has accepted.
    pub(crate) shapes: ShapeMemo,
    /// The schema's action entities (with their groups).
    pub(crate) actions: Option<Entities>,
    /// Each schema action with its ancestors, as shared Cedar core entities (a slice adds
    /// them without copying).
    action_closures: rustc_hash::FxHashMap<EntityUid, Vec<ActionEntity>>,
}

/// An action entity of the schema, shared.
type ActionEntity = (EntityUid, Arc<cedar_policy_core::ast::Entity>);

impl Snapshot {
    fn new(
        bundle: Arc<PolicyBundle>,
        entities: EntityIndex,
        api_entities: Arc<Vec<Value>>,
    ) -> Self {
        let mut types: rustc_hash::FxHashMap<String, EntityTypeName> = Default::default();
        let mut add = |t: &EntityTypeName| {
            types.entry(t.to_string()).or_insert_with(|| t.clone());
        };
        if let Some(schema) = &bundle.schema {
            schema.entity_types().for_each(&mut add);
            schema.actions().for_each(|a| add(a.type_name()));
        }
        entities.types().for_each(&mut add);
        if let Ok(action) = EntityTypeName::from_str("Action") {
            add(&action);
        }
        let prefilter = crate::prefilter::Prefilter::new(&bundle.policies);
        let reasons = bundle
            .policies
            .policies()
            .filter_map(|p| Some((p.id().clone(), p.annotation("reason")?.to_string())))
            .collect();
        let shapes = ShapeMemo::new(bundle.enum_types.as_deref());
        let actions = bundle
            .schema
            .as_ref()
            .and_then(|s| s.action_entities().ok());
        let mut action_closures: rustc_hash::FxHashMap<EntityUid, Vec<ActionEntity>> =
            Default::default();
        if let Some(actions) = &actions {
            for a in actions.iter() {
                let uid = a.uid();
                let ancestors = actions.ancestors(&uid).into_iter().flatten();
                let closure = std::iter::once(&uid)
                    .chain(ancestors)
                    .filter_map(|u| {
                        let e = actions.get(u)?;
                        Some((u.clone(), Arc::new(e.as_ref().clone())))
                    })
                    .collect();
                action_closures.insert(uid, closure);
            }
        }
        Snapshot {
            action_closures,
            shapes,
            actions,
            reasons,
            bundle,
            entities,
            api_entities,
            types,
            prefilter,
        }
    }

    /// The schema action `action` and its ancestors, as the schema check would add them.
    pub(crate) fn action_closure(
        &self,
        action: &EntityUid,
    ) -> impl Iterator<Item = (&EntityUid, &Arc<cedar_policy_core::ast::Entity>)> {
        self.action_closures
            .get(action)
            .into_iter()
            .flatten()
            .map(|(u, e)| (u, e))
    }

    /// The uid of type `kind` and id `id` (type names parsed once per snapshot).
    fn uid(&self, kind: &str, id: &str) -> Result<EntityUid, String> {
        let t = match self.types.get(kind) {
            Some(t) => t.clone(),
            None => {
                EntityTypeName::from_str(kind).map_err(|e| format!("invalid type `{kind}`: {e}"))?
            }
        };
        Ok(EntityUid::from_type_name_and_id(t, EntityId::new(id)))
    }
}

/// The decision point. Cheap to share (`Arc<Pdp>`); every method takes `&self`.
pub struct Pdp {
    snap: ArcSwap<Snapshot>,
    grants: ArcSwap<HashMap<String, Vec<GrantWindow>>>,
    risk: Option<Arc<dyn RiskSource>>,
    ip: Option<Arc<dyn IpClassifier>>,
    clock: Arc<dyn Clock>,
    authorizer: Authorizer,
    role_type: Option<EntityTypeName>,
    /// The `risk` context record of a subject no person is known for.
    unknown_risk: CoreValue,
}

/// A decision with what the ledger records about it.
#[derive(Debug, Clone)]
pub struct Decided {
    pub response: EvaluationResponse,
    /// Deciding policy ids.
    pub policies: Vec<String>,
    pub errors: Vec<String>,
}

impl Pdp {
    pub fn new(bundle: PolicyBundle) -> Result<Pdp, EntityError> {
        let entities = EntityIndex::build(&bundle.entities, &[], bundle.schema.as_ref())?;
        let snap = Snapshot::new(Arc::new(bundle), entities, Arc::new(Vec::new()));
        Ok(Pdp {
            snap: ArcSwap::from_pointee(snap),
            grants: ArcSwap::from_pointee(HashMap::new()),
            risk: None,
            ip: None,
            clock: Arc::new(SystemClock),
            authorizer: Authorizer::new(),
            role_type: EntityTypeName::from_str(ROLE_TYPE).ok(),
            unknown_risk: values::risk(None),
        })
    }

    pub fn with_risk(mut self, risk: Arc<dyn RiskSource>) -> Self {
        self.risk = Some(risk);
        self
    }

    pub fn with_ip_classifier(mut self, ip: Arc<dyn IpClassifier>) -> Self {
        self.ip = Some(ip);
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The policies now serving.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snap.load_full()
    }

    /// Swap in a new policy set (requests in flight finish on the old one). The stored entities
    /// are re-checked against the new schema; on error the old set keeps serving.
    pub fn replace_policies(&self, bundle: PolicyBundle) -> Result<(), EntityError> {
        let api = self.snap.load().api_entities.clone();
        let entities = EntityIndex::build(&bundle.entities, &api, bundle.schema.as_ref())?;
        self.snap
            .store(Arc::new(Snapshot::new(Arc::new(bundle), entities, api)));
        Ok(())
    }

    /// Replace the entities managed through the API (they override `entities.json`).
    pub fn set_api_entities(&self, api: Vec<Value>) -> Result<(), EntityError> {
        let cur = self.snap.load();
        let entities = EntityIndex::build(&cur.bundle.entities, &api, cur.bundle.schema.as_ref())?;
        self.snap.store(Arc::new(Snapshot::new(
            cur.bundle.clone(),
            entities,
            Arc::new(api),
        )));
        Ok(())
    }

    /// Replace the approved grants (validity is still checked per decision against the clock).
    pub fn set_grants(&self, windows: Vec<GrantWindow>) {
        let mut map: HashMap<String, Vec<GrantWindow>> = HashMap::new();
        for w in windows {
            map.entry(w.subject.clone()).or_default().push(w);
        }
        self.grants.store(Arc::new(map));
    }

    /// Roles granted to `subject` (canonical Cedar uid text) that are valid now.
    pub fn active_roles(&self, subject: &str) -> Vec<String> {
        let grants = self.grants.load();
        if grants.is_empty() {
            return Vec::new();
        }
        let now = self.clock.now();
        let mut roles: Vec<String> = grants
            .get(subject)
            .map(|ws| {
                ws.iter()
                    .filter(|w| w.starts_at <= now && now < w.expires_at)
                    .map(|w| w.role.clone())
                    .collect()
            })
            .unwrap_or_default();
        roles.sort();
        roles.dedup();
        roles
    }

    /// Decide one request.
    pub fn evaluate(&self, req: &EvaluationRequest) -> EvaluationResponse {
        self.decide(req).response
    }

    /// Decide one request, with the details the ledger records.
    pub fn decide(&self, req: &EvaluationRequest) -> Decided {
        let snap = self.snap.load();
        match self.try_decide(&snap, req) {
            Ok(d) => d,
            Err(message) => Decided {
                response: EvaluationResponse {
                    decision: false,
                    context: Some(
                        json!({"error": message, "reason_admin": {"en": format!("denied: {message}")}}),
                    ),
                },
                policies: Vec::new(),
                errors: vec![message],
            },
        }
    }

    /// Decide a batch with its evaluation semantic.
    pub fn evaluate_batch(&self, req: &EvaluationsRequest) -> Result<BatchAnswer, MissingField> {
        Ok(match self.decide_batch(req)? {
            (true, list) => BatchAnswer::Many(EvaluationsResponse {
                evaluations: list.into_iter().map(|(_, d)| d.response).collect(),
            }),
            (false, mut list) => match list.pop() {
                Some((_, d)) => BatchAnswer::One(d.response),
                None => BatchAnswer::Many(EvaluationsResponse {
                    evaluations: Vec::new(),
                }),
            },
        })
    }

    /// Decide a batch; returns whether the answer is a batch and each evaluated request with its
    /// decision (entries after a short-circuit are not evaluated).
    pub fn decide_batch(
        &self,
        req: &EvaluationsRequest,
    ) -> Result<(bool, Vec<(EvaluationRequest, Decided)>), MissingField> {
        let all = req.expand()?;
        let semantic = req.semantic();
        let mut out = Vec::with_capacity(all.len());
        for r in all {
            let d = self.decide(&r);
            let stop = match semantic {
                EvaluationsSemantic::ExecuteAll => false,
                EvaluationsSemantic::DenyOnFirstDeny => !d.response.decision,
                EvaluationsSemantic::PermitOnFirstPermit => d.response.decision,
            };
            out.push((r, d));
            if stop {
                break;
            }
        }
        Ok((req.is_batch(), out))
    }

    fn try_decide(&self, snap: &Snapshot, req: &EvaluationRequest) -> Result<Decided, String> {
        let schema = snap.bundle.schema.as_ref();
        let principal = snap
            .uid(&req.subject.kind, &req.subject.id)
            .map_err(|e| format!("subject: {e}"))?;
        let resource = snap
            .uid(&req.resource.kind, &req.resource.id)
            .map_err(|e| format!("resource: {e}"))?;
        let action = snap
            .uid("Action", &req.action.name)
            .map_err(|e| format!("action: {e}"))?;
        let roles = if self.grants.load().is_empty() {
            Vec::new()
        } else {
            self.active_roles(&principal.to_string())
        };

        // The slice of entities this decision can see: built from Cedar values directly, and
        // when that does not conform to the schema, again through Cedar's JSON parser for its
        // diagnostics.
        let role_uids: Vec<EntityUid> = match &self.role_type {
            Some(t) => roles
                .iter()
                .map(|r| EntityUid::from_type_name_and_id(t.clone(), EntityId::new(r)))
                .collect(),
            None => Vec::new(),
        };
        // Stored entities only (checked against the schema when loaded): Cedar gets all of
        // them as they are, nothing is built per decision.
        let stored_only = match (snap.entities.get(&principal), snap.entities.get(&resource)) {
            (Some(p), Some(r))
                if role_uids.is_empty()
                    && !req.subject.has_attributes()
                    && !req.resource.has_attributes() =>
            {
                Some((p, r))
            }
            _ => None,
        };
        let slice = |fast: bool| -> Result<Entities, String> {
            let mut seen: HashSet<EntityUid> = HashSet::new();
            let mut list: Vec<Entity> = Vec::with_capacity(8);
            // What the schema check of this slice depends on (`None`: check it anyway).
            let mut shape = (fast && schema.is_some()).then(|| vec![b'E']);
            let subject = self
                .request_entity(snap, &principal, &req.subject, &role_uids, fast, &mut shape)
                .map_err(|e| format!("subject: {e}"))?;
            seen.insert(principal.clone());
            list.push(subject);
            if seen.insert(resource.clone()) {
                list.push(
                    self.request_entity(snap, &resource, &req.resource, &[], fast, &mut shape)
                        .map_err(|e| format!("resource: {e}"))?,
                );
            }
            snap.entities
                .push_ancestors(&principal, &mut seen, &mut list);
            snap.entities
                .push_ancestors(&resource, &mut seen, &mut list);
            for ru in &role_uids {
                if seen.insert(ru.clone()) {
                    match snap.entities.get(ru) {
                        Some(stored) => list.push(stored.entity.clone()),
                        None => {
                            shape = None;
                            list.push(Entity::new_no_attrs(ru.clone(), HashSet::new()))
                        }
                    }
                }
                snap.entities.push_ancestors(ru, &mut seen, &mut list);
            }
            // Every entity not built here was checked when loaded: when the built ones have a
            // shape the check accepted before, skip it and add the action entities it adds.
            match (shape, &snap.actions) {
                (Some(shape), Some(actions)) if snap.shapes.checked(&shape) => {
                    let ancestors = actions.ancestors(&action).into_iter().flatten();
                    for a in std::iter::once(&action).chain(ancestors) {
                        if !seen.contains(a)
                            && let Some(e) = actions.get(a)
                        {
                            list.push(e.clone());
                        }
                    }
                    Entities::from_entities(list, None).map_err(|e| e.to_string())
                }
                (shape, _) => {
                    let checked =
                        Entities::from_entities(list, schema).map_err(|e| e.to_string())?;
                    if let Some(shape) = shape {
                        snap.shapes.remember(shape);
                    }
                    Ok(checked)
                }
            }
        };
        // The entities Cedar would see: the stored ones as they are, or a slice. A slice that
        // can be built without Cedar's checks is only planned here, and built further down
        // only if a selected policy's body can look an entity up.
        let plan = match stored_only {
            Some(_) => None,
            None => crate::slice::plan(
                snap,
                (&principal, &req.subject),
                (&resource, &req.resource),
                &action,
                &role_uids,
            ),
        };
        let checked_slice;
        let known: Option<&Entities> = match (stored_only, &plan) {
            (Some(_), _) => Some(snap.entities.all()),
            (None, Some(_)) => None,
            (None, None) => {
                checked_slice = match slice(true) {
                    Ok(e) => e,
                    Err(_) => slice(false)?,
                };
                Some(&checked_slice)
            }
        };
        let selection = match &snap.prefilter {
            Some(pf) => Some(match (&plan, known) {
                (Some(plan), _) => {
                    // The slice holds the schema's action entities only with a schema.
                    let a_anc: Vec<&EntityUid> = match plan.has_actions() {
                        true => snap
                            .action_closure(&action)
                            .skip(1)
                            .map(|(u, _)| u)
                            .collect(),
                        false => Vec::new(),
                    };
                    pf.select(
                        (&principal, &plan.principal_ancestors),
                        (&action, &a_anc),
                        (&resource, &plan.resource_ancestors),
                    )
                }
                (None, Some(entities)) => {
                    // Ancestors as Cedar will see them: the stored ones when Cedar gets the
                    // stored entities as they are (the same Cedar entities), else from the
                    // slice.
                    let ancestors = |uid: &EntityUid| -> Vec<&EntityUid> {
                        entities
                            .ancestors(uid)
                            .map(|a| a.collect())
                            .unwrap_or_default()
                    };
                    let a_anc = ancestors(&action);
                    match stored_only {
                        Some((p, r)) => pf.select(
                            (&principal, &p.ancestors),
                            (&action, &a_anc),
                            (&resource, &r.ancestors),
                        ),
                        None => pf.select(
                            (&principal, &ancestors(&principal)),
                            (&action, &a_anc),
                            (&resource, &ancestors(&resource)),
                        ),
                    }
                }
                (None, None) => return Err("no entities for the decision".to_string()),
            }),
            None => None,
        };

        // The context: the request's, then Molehunt's facts (which win), built as Cedar values;
        // when the request's part is not plain JSON or does not conform, again through Cedar's
        // JSON parser for its diagnostics.
        let facts = match &self.risk {
            Some(source) => source
                .risk_facts(&req.subject.id)
                .map_err(|e| format!("risk lookup failed: {e}"))?,
            None => None,
        };
        let risk = facts.as_deref().map(|f| &f.info);
        let fast = self.fast_request(
            snap,
            req,
            (&principal, &action, &resource),
            &roles,
            facts.as_deref(),
        );
        // A context built as values holds no entity; a selection whose bodies look no entity
        // up then decides the same over any entities, so the slice is not built.
        let context_entity_free = fast.is_some();
        let request = match fast {
            Some(r) => r,
            None => {
                let ctx = self.json_context(req, &roles, risk);
                let context =
                    Context::from_json_value(Value::Object(ctx), schema.map(|s| (s, &action)))
                        .map_err(|e| format!("context: {e}"))?;
                Request::new(
                    principal.clone(),
                    action.clone(),
                    resource.clone(),
                    context,
                    schema,
                )
                .map_err(|e| e.to_string())?
            }
        };
        // The slice, built only when the selected policies need it (or no selection is made).
        let mut planned_slice: Option<Entities> = None;
        let build_slice = || -> Result<Entities, String> {
            match plan.as_ref().and_then(crate::slice::Plan::build) {
                Some(e) => Ok(e),
                None => match slice(true) {
                    Ok(e) => Ok(e),
                    Err(_) => slice(false),
                },
            }
        };

        // With pre-selection the chosen policies are evaluated over their prepared conditions
        // (see `prefilter`); otherwise (template-linked policies) by Cedar's authorizer.
        let held;
        let (decision, deciding, errors): (bool, Vec<&PolicyId>, Vec<String>) =
            match (&snap.prefilter, &selection) {
                (Some(pf), Some(selection)) => {
                    let first = match known {
                        Some(e) => pf.authorize(selection, &request, e, true, context_entity_free),
                        None if context_entity_free && pf.entity_free(selection) => {
                            // The stored entities stand in for the slice: no body looks them up.
                            pf.authorize(
                                selection,
                                &request,
                                snap.entities.all(),
                                false,
                                context_entity_free,
                            )
                        }
                        None => None,
                    };
                    let answer = match first {
                        Some(a) => a,
                        None => {
                            let e = match known {
                                Some(e) => e,
                                None => planned_slice.insert(build_slice()?),
                            };
                            pf.authorize(selection, &request, e, true, context_entity_free)
                                .ok_or("no answer over the exact entities")?
                        }
                    };
                    (answer.allow, answer.reasons, answer.errors)
                }
                _ => {
                    let e = match known {
                        Some(e) => e,
                        None => planned_slice.insert(build_slice()?),
                    };
                    held = self
                        .authorizer
                        .is_authorized(&request, &snap.bundle.policies, e);
                    (
                        held.decision() == Decision::Allow,
                        held.diagnostics().reason().collect(),
                        held.diagnostics().errors().map(|e| e.to_string()).collect(),
                    )
                }
            };
        let mut policies: Vec<String> = Vec::with_capacity(deciding.len());
        let mut summary = String::new();
        for id in deciding {
            policies.push(id.to_string());
            if !summary.is_empty() {
                summary.push_str("; ");
            }
            match snap.reasons.get(id) {
                Some(reason) => summary.push_str(reason),
                None => summary.push_str(id.as_ref()),
            }
        }
        if summary.is_empty() {
            summary.push_str(if decision {
                "permitted"
            } else {
                "no policy permits this request"
            });
        }
        // Built as values directly (no trip through serde's serializer).
        let strings =
            |list: &[String]| Value::Array(list.iter().cloned().map(Value::String).collect());
        let mut out = Map::new();
        out.insert("policies".into(), strings(&policies));
        let mut reason = Map::new();
        reason.insert("en".into(), Value::String(summary));
        out.insert("reason_admin".into(), Value::Object(reason));
        if !errors.is_empty() {
            out.insert("errors".into(), strings(&errors));
        }
        if let Some(r) = risk {
            out.insert("risk_level".into(), r.level.as_str().into());
        }
        if !roles.is_empty() {
            out.insert("jit_roles".into(), strings(&roles));
        }
        Ok(Decided {
            response: EvaluationResponse {
                decision,
                context: Some(Value::Object(out)),
            },
            policies,
            errors,
        })
    }

    /// The request with its context built as Cedar values: `None` when the request's context
    /// or action properties are not plain JSON, or Cedar's schema check refuses the request
    /// (the caller then goes through Cedar's JSON parser for its diagnostics). Whether a
    /// request conforms depends only on its shape (see [`crate::shapes`]); a shape Cedar has
    /// accepted once is not checked again.
    fn fast_request(
        &self,
        snap: &Snapshot,
        req: &EvaluationRequest,
        (principal, action, resource): (&EntityUid, &EntityUid, &EntityUid),
        roles: &[String],
        risk: Option<&RiskFacts>,
    ) -> Option<Request> {
        let props = req.action.properties.as_ref();
        let mut ctx = Record::new();
        for (k, v) in req.context.iter().flatten() {
            let ours = matches!(
                k.as_str(),
                CONTEXT_RISK | CONTEXT_IP_CLASS | CONTEXT_JIT_ROLES
            ) || (props.is_some() && k == CONTEXT_ACTION_PROPERTIES);
            if !ours {
                ctx.insert(SmolStr::new(k), values::value(v)?);
            }
        }
        if let Some(props) = props {
            let record = values::record(props)?;
            ctx.insert(
                SmolStr::new_static(CONTEXT_ACTION_PROPERTIES),
                CoreValue::record_arc(Arc::new(record), None),
            );
        }
        let risk = match risk {
            Some(facts) => facts.value.clone(),
            None => self.unknown_risk.clone(),
        };
        ctx.insert(SmolStr::new_static(CONTEXT_RISK), risk);
        if let (Some(ip), Some(classifier)) = (req.context.as_ref().and_then(request_ip), &self.ip)
        {
            let class = SmolStr::new_static(classifier.class(ip).as_str());
            ctx.insert(SmolStr::new_static(CONTEXT_IP_CLASS), class.into());
        }
        ctx.insert(
            SmolStr::new_static(CONTEXT_JIT_ROLES),
            values::strings(roles),
        );
        let (p, a, r) = (principal.clone(), action.clone(), resource.clone());
        let Some(schema) = snap.bundle.schema.as_ref() else {
            let context = Context::from(CoreContext::Value(Arc::new(ctx)));
            return Request::new(p, a, r, context, None).ok();
        };
        let mut shape = crate::shapes::scratch();
        let keyed = snap
            .shapes
            .request_key(req, principal, resource, &ctx, &mut shape);
        let context = Context::from(CoreContext::Value(Arc::new(ctx)));
        if keyed && snap.shapes.checked(&shape) {
            crate::shapes::recycle(shape);
            return Request::new(p, a, r, context, None).ok();
        }
        let checked = Request::new(p, a, r, context, Some(schema)).ok()?;
        if keyed {
            snap.shapes.remember(shape);
        }
        Some(checked)
    }

    /// The context as JSON, for Cedar's JSON parser: the request's, then Molehunt's facts.
    fn json_context(
        &self,
        req: &EvaluationRequest,
        roles: &[String],
        risk: Option<&RiskInfo>,
    ) -> Map<String, Value> {
        let mut ctx = req.context.clone().unwrap_or_default();
        if let Some(props) = &req.action.properties {
            ctx.insert(
                CONTEXT_ACTION_PROPERTIES.into(),
                Value::Object(props.clone()),
            );
        }
        ctx.insert(CONTEXT_RISK.into(), risk_json(risk));
        ctx.remove(CONTEXT_IP_CLASS);
        if let (Some(ip), Some(classifier)) = (request_ip(&ctx), &self.ip) {
            ctx.insert(
                CONTEXT_IP_CLASS.into(),
                Value::String(classifier.class(ip).as_str().to_string()),
            );
        }
        ctx.insert(
            CONTEXT_JIT_ROLES.into(),
            Value::Array(roles.iter().map(|r| Value::String(r.clone())).collect()),
        );
        ctx
    }

    /// The subject's or resource's entity: stored attributes and parents merged with the
    /// request's attributes, plus granted roles as parents. An entity built here (not a stored
    /// one as it is) adds its part to `shape`, or clears it when it has none.
    fn request_entity(
        &self,
        snap: &Snapshot,
        uid: &EntityUid,
        given: &crate::authzen::Subject,
        roles: &[EntityUid],
        fast: bool,
        shape: &mut Option<Vec<u8>>,
    ) -> Result<Entity, String> {
        let stored = snap.entities.get(uid);
        if !given.has_attributes()
            && roles.is_empty()
            && let Some(s) = stored
        {
            return Ok(s.entity.clone());
        }
        let given_attrs = given.attributes();
        if fast {
            // Parents: the stored (transitively closed) ancestors and the granted roles.
            let mut parents: HashSet<EntityUid> = stored
                .map(|s| s.ancestors.iter().cloned().collect())
                .unwrap_or_default();
            parents.extend(roles.iter().cloned());
            // Attributes: the stored Cedar values, the request's plain JSON over them.
            let mut attrs = stored.map(|s| s.exprs.clone()).unwrap_or_default();
            let mut plain = true;
            for (k, v) in &given_attrs {
                match crate::fastjson::expr(v) {
                    Some(e) => {
                        attrs.insert(k.clone(), e);
                    }
                    None => {
                        plain = false;
                        break;
                    }
                }
            }
            if plain {
                let mark = shape.as_ref().map(Vec::len);
                if let Some(out) = shape.as_mut() {
                    let stored_attrs = stored.map(|s| &s.attrs);
                    snap.shapes
                        .entity_key(given, uid, stored_attrs, &given_attrs, &parents, out);
                }
                if let Ok(e) = Entity::new(uid.clone(), attrs, parents) {
                    return Ok(e);
                }
                if let (Some(out), Some(mark)) = (shape.as_mut(), mark) {
                    out.truncate(mark);
                }
            }
        }
        *shape = None;
        let mut attrs = stored.map(|s| s.attrs.clone()).unwrap_or_default();
        for (k, v) in given_attrs {
            attrs.insert(k, v);
        }
        let mut parents = stored.map(|s| s.parents.clone()).unwrap_or_default();
        parents.extend(
            roles
                .iter()
                .map(|r| json!({"type": ROLE_TYPE, "id": r.id().unescaped()})),
        );
        let value = json!({"uid": {"type": given.kind, "id": given.id}, "attrs": attrs, "parents": parents});
        Entity::from_json_value(value, snap.bundle.schema.as_ref()).map_err(|e| error_chain(&e))
    }
}

/// The `risk` record Molehunt puts in the context, as JSON (see [`crate::values::risk`]).
fn risk_json(risk: Option<&RiskInfo>) -> Value {
    match risk {
        Some(r) => {
            let mut m = Map::new();
            m.insert("known".into(), json!(true));
            m.insert("score".into(), json!(r.score));
            m.insert("level".into(), json!(r.level.as_str()));
            m.insert("flags".into(), json!(r.flags));
            if let Some(n) = &r.network_id {
                m.insert("network_id".into(), json!(n));
            }
            Value::Object(m)
        }
        None => json!({"known": false, "score": 0, "level": "unknown", "flags": []}),
    }
}

/// The request IP from the context (`ip`, or `ip_address`), if it parses.
fn request_ip(ctx: &Map<String, Value>) -> Option<IpAddr> {
    ["ip", "ip_address"]
        .iter()
        .find_map(|k| ctx.get(*k).and_then(Value::as_str))
        .and_then(|s| s.parse().ok())
}

/// An error with its causes, so that "does not conform to the schema" says which attribute.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}
