//! The entity slice of a decision that adds request attributes or granted roles to the stored
//! entities, built from Cedar's core entities (the stored ones shared, not copied) without
//! recomputing the transitive closure.
//!
//! Every stored entity's ancestor set is already closed (Cedar closed the whole stored set when
//! it was loaded), and a slice is a subset of the stored set plus at most two built entities:
//! the principal, whose ancestors are its stored ancestors, the granted roles and the roles'
//! stored ancestors, and the resource, whose ancestors are its stored ancestors. So the closure
//! Cedar would compute over the slice is exactly these sets, and the slice is handed to Cedar
//! with `TCComputation::AssumeAlreadyComputed`. What Cedar's closure computation would refuse
//! (a granted role that is the principal or one of its descendants: a cycle) or extend further
//! (a resource below a principal that gains roles), a role that is not stored, take the checked path in `pdp.rs` instead, as does any slice whose shape
//! Cedar's schema check has not accepted before (see [`crate::shapes`]).

use std::collections::HashSet;
use std::sync::Arc;

use cedar_policy::{Entities, EntityUid};
use cedar_policy_core::ast::{self, PartialValue};
use cedar_policy_core::entities::{NoEntitiesSchema, TCComputation};
use cedar_policy_core::extensions::Extensions;
use smol_str::SmolStr;

use crate::authzen::Subject;
use crate::pdp::Snapshot;
use crate::values;

/// The slice for a decision, or `None` when it must take the checked path.
pub(crate) fn build(
    snap: &Snapshot,
    principal: (&EntityUid, &Subject),
    resource: (&EntityUid, &Subject),
    action: &EntityUid,
    roles: &[EntityUid],
) -> Option<Entities> {
    // A built principal's new ancestors (the roles) would reach a resource below it only
    // through the closure computation.
    if !roles.is_empty()
        && snap
            .entities
            .get(resource.0)
            .is_some_and(|r| r.core.is_descendant_of(principal.0.as_ref()))
    {
        return None;
    }
    let checking = snap.bundle.schema.is_some();
    let mut shape = checking.then(|| {
        let mut buf = crate::shapes::scratch();
        buf.push(b'E');
        buf
    });
    // A handful of entities: a linear scan beats hashing.
    let mut seen: Vec<&EntityUid> = Vec::with_capacity(8);
    let mut list: Vec<Arc<ast::Entity>> = Vec::with_capacity(8);
    list.push(entity(snap, principal.0, principal.1, roles, &mut shape)?);
    seen.push(principal.0);
    if insert(&mut seen, resource.0) {
        list.push(entity(snap, resource.0, resource.1, &[], &mut shape)?);
    }
    push_ancestors(snap, principal.0, &mut seen, &mut list);
    push_ancestors(snap, resource.0, &mut seen, &mut list);
    for role in roles {
        if insert(&mut seen, role) {
            list.push(snap.entities.get(role)?.core.clone());
        }
        push_ancestors(snap, role, &mut seen, &mut list);
    }
    if let Some(shape) = shape {
        // Only shapes Cedar's own check accepted skip it; the action entities are the ones that
        // check would add.
        snap.actions.as_ref()?;
        if !snap.shapes.checked(&shape) {
            return None;
        }
        crate::shapes::recycle(shape);
        for (a, e) in snap.action_closure(action) {
            if !seen.contains(&a) {
                list.push(e.clone());
            }
        }
    }
    let core = cedar_policy_core::entities::Entities::new()
        .add_entities(
            list,
            None::<&NoEntitiesSchema>,
            TCComputation::AssumeAlreadyComputed,
            Extensions::all_available(),
        )
        .ok()?;
    Some(Entities::from(core))
}

/// Add `uid` to `seen`; `false` when it was there.
fn insert<'a>(seen: &mut Vec<&'a EntityUid>, uid: &'a EntityUid) -> bool {
    if seen.contains(&uid) {
        return false;
    }
    seen.push(uid);
    true
}

/// The stored ancestors of `uid` not yet in the slice.
fn push_ancestors<'a>(
    snap: &'a Snapshot,
    uid: &EntityUid,
    seen: &mut Vec<&'a EntityUid>,
    out: &mut Vec<Arc<ast::Entity>>,
) {
    if let Some(stored) = snap.entities.get(uid) {
        for a in &stored.ancestors {
            if insert(seen, a)
                && let Some(anc) = snap.entities.get(a)
            {
                out.push(anc.core.clone());
            }
        }
    }
}

/// The principal's or resource's entity: the stored one as it is, or the stored attributes with
/// the request's over them and the stored ancestors plus the granted roles and theirs. An entity
/// built here adds its part to `shape` exactly as the checked path does.
fn entity(
    snap: &Snapshot,
    uid: &EntityUid,
    given: &Subject,
    roles: &[EntityUid],
    shape: &mut Option<Vec<u8>>,
) -> Option<Arc<ast::Entity>> {
    let stored = snap.entities.get(uid);
    if !given.has_attributes()
        && roles.is_empty()
        && let Some(s) = stored
    {
        return Some(s.core.clone());
    }
    let given_attrs = given.attributes_ref();
    if let Some(out) = shape.as_mut() {
        let parents = stored
            .into_iter()
            .flat_map(|s| s.ancestors.iter())
            .chain(roles);
        let stored_attrs = stored.map(|s| &s.attrs);
        snap.shapes
            .entity_key(given, uid, stored_attrs, &given_attrs, parents, out);
    }
    let core = stored.map(|s| s.core.as_ref());
    let mut attrs: values::Attrs = core
        .map(|e| e.attrs().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    for (k, v) in given_attrs.iter() {
        attrs.insert(SmolStr::new(k), PartialValue::from(values::value(v)?));
    }
    let mut parents: HashSet<ast::EntityUID> = core
        .map(|e| e.parents().cloned().collect())
        .unwrap_or_default();
    let mut indirect: HashSet<ast::EntityUID> = core
        .map(|e| e.indirect_ancestors().cloned().collect())
        .unwrap_or_default();
    let me: &ast::EntityUID = uid.as_ref();
    for role in roles {
        let r: &ast::EntityUID = role.as_ref();
        let stored_role = snap.entities.get(role)?;
        if r == me || stored_role.core.is_descendant_of(me) {
            return None;
        }
        if !indirect.contains(r) {
            parents.insert(r.clone());
        }
    }
    for role in roles {
        if let Some(stored_role) = snap.entities.get(role) {
            for a in stored_role.core.ancestors() {
                if !parents.contains(a) {
                    indirect.insert(a.clone());
                }
            }
        }
    }
    Some(Arc::new(ast::Entity::new_with_attr_partial_value(
        me.clone(),
        attrs,
        indirect,
        parents,
        [],
    )))
}
