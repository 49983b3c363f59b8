//! Stored entities (from `entities.json` and from the API): all of them as one Cedar entity set,
//! which a decision over stored entities only uses as it is, and indexed by uid for the
//! decisions that add request attributes or granted roles: those build a small Cedar entity set
//! of the principal, the resource and their ancestors instead of cloning every stored entity.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cedar_policy::{Entities, Entity, EntityUid, RestrictedExpression, Schema};
use serde_json::{Map, Value};

/// One stored entity: its Cedar form (parents transitively closed) and the JSON it came from.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub entity: Entity,
    pub attrs: Map<String, Value>,
    /// The attributes as Cedar values (what the JSON became under the schema).
    pub exprs: HashMap<String, RestrictedExpression>,
    pub parents: Vec<Value>,
    pub ancestors: Vec<EntityUid>,
    /// The same entity as Cedar's core type, shared (slices take it without copying).
    pub core: Arc<cedar_policy_core::ast::Entity>,
}

/// Every stored entity by uid, and all of them as one Cedar entity set (with the schema's
/// action entities), which a decision over stored entities only hands to Cedar as it is.
#[derive(Debug, Clone, Default)]
pub struct EntityIndex {
    map: rustc_hash::FxHashMap<EntityUid, Stored>,
    all: Entities,
}

/// Why a set of entities was refused.
#[derive(Debug, thiserror::Error)]
pub enum EntityError {
    #[error("entity {index}: {message}")]
    Shape { index: usize, message: String },
    #[error("{0}")]
    Cedar(String),
}

/// The uid of an entity JSON object (`{"uid": {"type", "id"}, ...}`).
pub fn entity_uid(value: &Value) -> Result<EntityUid, String> {
    let uid = value.get("uid").ok_or("missing `uid`")?;
    EntityUid::from_json(uid.clone()).map_err(|e| e.to_string())
}

impl EntityIndex {
    /// Index `file` entities and `api` entities (an API entity replaces a file entity of the same
    /// uid), checking them against `schema` when there is one.
    pub fn build(
        file: &[Value],
        api: &[Value],
        schema: Option<&Schema>,
    ) -> Result<EntityIndex, EntityError> {
        let mut order: Vec<(EntityUid, &Value)> = Vec::with_capacity(file.len() + api.len());
        let mut at: HashMap<EntityUid, usize> = HashMap::new();
        for (index, value) in file.iter().chain(api.iter()).enumerate() {
            let uid = entity_uid(value).map_err(|message| EntityError::Shape { index, message })?;
            match at.get(&uid) {
                Some(&i) => order[i] = (uid, value),
                None => {
                    at.insert(uid.clone(), order.len());
                    order.push((uid, value));
                }
            }
        }
        let list: Vec<Value> = order.iter().map(|(_, v)| (*v).clone()).collect();
        let all = Entities::from_json_value(Value::Array(list), schema)
            .map_err(|e| EntityError::Cedar(e.to_string()))?;
        let mut map = rustc_hash::FxHashMap::default();
        map.reserve(order.len());
        for (uid, value) in order {
            let Some(entity) = all.get(&uid) else {
                continue;
            };
            let (_, exprs, ancestors) = entity.clone().into_inner();
            let ancestors = ancestors.into_iter().collect();
            let attrs = value
                .get("attrs")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let parents = value
                .get("parents")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            map.insert(
                uid,
                Stored {
                    core: Arc::new(entity.as_ref().clone()),
                    entity: entity.clone(),
                    attrs,
                    exprs,
                    parents,
                    ancestors,
                },
            );
        }
        Ok(EntityIndex { map, all })
    }

    /// Every stored entity (and, with a schema, its action entities), transitively closed and
    /// checked against the schema when loaded.
    pub(crate) fn all(&self) -> &Entities {
        &self.all
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The entity types stored.
    pub(crate) fn types(&self) -> impl Iterator<Item = &cedar_policy::EntityTypeName> {
        self.map.keys().map(EntityUid::type_name)
    }

    pub(crate) fn get(&self, uid: &EntityUid) -> Option<&Stored> {
        self.map.get(uid)
    }

    /// Add the stored ancestors of `uid` (not `uid` itself) to `out`.
    pub(crate) fn push_ancestors(
        &self,
        uid: &EntityUid,
        seen: &mut HashSet<EntityUid>,
        out: &mut Vec<Entity>,
    ) {
        if let Some(stored) = self.map.get(uid) {
            for a in &stored.ancestors {
                if seen.insert(a.clone())
                    && let Some(anc) = self.map.get(a)
                {
                    out.push(anc.entity.clone());
                }
            }
        }
    }
}
