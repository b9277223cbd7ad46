//! Reading govcloud resources from YAML files, with errors that name the file,
//! the object and the field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kube::{CustomResourceExt, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Model;
use crate::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};
use crate::meta::API_VERSION;
use crate::problem::{FileProblem, ObjectRef};

/// A model and where each object came from.
#[derive(Clone, Debug, Default)]
pub struct LoadedModel {
    /// The objects.
    pub model: Model,
    /// File and document of each object.
    pub origins: BTreeMap<ObjectRef, (PathBuf, usize)>,
}

impl LoadedModel {
    /// The file and document an object came from, if it came from a file.
    pub fn origin(&self, object: &ObjectRef) -> Option<&(PathBuf, usize)> {
        self.origins.get(object)
    }
}

/// The kinds govcloud reads, for messages.
fn kinds() -> String {
    format!("NetworkZone, Tenant, DepartmentApp and ResourceRequest (apiVersion {API_VERSION})")
}

/// Largest manifest file read: far above any real model, far below what would
/// exhaust memory.
const MAX_FILE_BYTES: u64 = 64 << 20;

/// Deepest nesting of flow collections (`[`, `{`) accepted. The YAML parser
/// itself stops at 128 levels, but only after scanning the whole document in
/// time that grows with the square of the depth (a 40 kB line of `[` takes
/// seconds): deeper input is refused before it is parsed.
const MAX_FLOW_DEPTH: usize = 128;

/// Reads every `.yaml`/`.yml` file under the given files or directories
/// (directories recursively, in name order). Returns every problem found, not
/// just the first.
pub fn load_paths(paths: &[PathBuf]) -> Result<LoadedModel, Vec<FileProblem>> {
    load_files(paths, None)
}

fn load_files(
    paths: &[PathBuf],
    mut others: Option<&mut Vec<serde_json::Value>>,
) -> Result<LoadedModel, Vec<FileProblem>> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        collect_files(p, &mut files, &mut problems);
    }
    let mut loaded = LoadedModel::default();
    for file in files {
        if let Ok(meta) = std::fs::metadata(&file)
            && meta.len() > MAX_FILE_BYTES
        {
            problems.push(file_problem(
                &file,
                0,
                None,
                "",
                format!(
                    "the file has {} MiB; govcloud reads manifest files of at most {} MiB",
                    meta.len() >> 20,
                    MAX_FILE_BYTES >> 20
                ),
                "split the manifests into several files, or check that this is the file you meant",
            ));
            continue;
        }
        match std::fs::read_to_string(&file) {
            Ok(text) => load_into(&file, &text, &mut loaded, &mut problems, others.as_deref_mut()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => problems.push(file_problem(
                &file,
                0,
                None,
                "",
                format!("cannot read file: {e}"),
                "save the file as UTF-8 (manifests written in GBK or GB 18030 must be converted, for example with iconv -f GB18030 -t UTF-8)",
            )),
            Err(e) => problems.push(file_problem(&file, 0, None, "", format!("cannot read file: {e}"), "check the path and its permissions")),
        }
    }
    if problems.is_empty() { Ok(loaded) } else { Err(problems) }
}

/// Reads govcloud resources and any other Kubernetes objects (for the audit):
/// govcloud kinds are checked as by [`load_paths`]; other objects are kept as JSON.
pub fn load_mixed(paths: &[PathBuf]) -> Result<(LoadedModel, Vec<serde_json::Value>), Vec<FileProblem>> {
    let mut others = Vec::new();
    let loaded = load_files(paths, Some(&mut others))?;
    Ok((loaded, others))
}

/// Reads one YAML text as if it were the file `name`.
pub fn load_str(name: &str, text: &str) -> Result<LoadedModel, Vec<FileProblem>> {
    let mut loaded = LoadedModel::default();
    let mut problems = Vec::new();
    load_into(Path::new(name), text, &mut loaded, &mut problems, None);
    if problems.is_empty() { Ok(loaded) } else { Err(problems) }
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<FileProblem>) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            problems.push(file_problem(
                path,
                0,
                None,
                "",
                format!("cannot read: {e}"),
                "pass an existing file or directory with -f",
            ));
            return;
        }
    };
    if meta.is_file() {
        files.push(path.to_path_buf());
        return;
    }
    let mut entries: Vec<PathBuf> = Vec::new();
    match std::fs::read_dir(path) {
        Ok(rd) => {
            for entry in rd {
                match entry {
                    Ok(e) => entries.push(e.path()),
                    // An entry that cannot be read might hold part of the model.
                    Err(e) => problems.push(file_problem(
                        path,
                        0,
                        None,
                        "",
                        format!("cannot read a directory entry: {e}"),
                        "check its permissions",
                    )),
                }
            }
        }
        Err(e) => {
            problems.push(file_problem(
                path,
                0,
                None,
                "",
                format!("cannot list directory: {e}"),
                "check its permissions",
            ));
            return;
        }
    }
    entries.sort();
    for e in entries {
        if e.is_dir() {
            collect_files(&e, files, problems);
        } else if matches!(e.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
            files.push(e);
        }
    }
}

fn file_problem(
    file: &Path,
    document: usize,
    object: Option<ObjectRef>,
    field: &str,
    message: impl Into<String>,
    fix: impl Into<String>,
) -> FileProblem {
    FileProblem {
        file: file.to_path_buf(),
        document,
        object,
        field: field.into(),
        message: message.into(),
        fix: fix.into(),
    }
}

/// Loads every document of `text`. With `others`, objects of other APIs are
/// kept there as JSON (the audit reads them); without, they are errors.
fn load_into(
    file: &Path,
    text: &str,
    loaded: &mut LoadedModel,
    problems: &mut Vec<FileProblem>,
    mut others: Option<&mut Vec<serde_json::Value>>,
) {
    if let Some((document, line)) = too_deep(text, MAX_FLOW_DEPTH) {
        problems.push(file_problem(
            file,
            document,
            None,
            "",
            format!(
                "malformed YAML: flow collections ([ or {{) nested deeper than {MAX_FLOW_DEPTH} levels at line {line}"
            ),
            "write the value out without that nesting; no govcloud field nests deeper than a few levels",
        ));
        return;
    }
    for (i, doc) in serde_norway::Deserializer::from_str(text).enumerate() {
        let index = i + 1;
        let value = match <serde_norway::Value as serde::Deserialize>::deserialize(doc) {
            Ok(v) => v,
            Err(e) => {
                let message = e.to_string();
                let fix = if message.starts_with("recursion limit exceeded") {
                    "write the value out without that nesting; no govcloud field nests deeper than a few levels"
                } else if message.starts_with("repetition limit exceeded") {
                    "the document's aliases (*name) expand to too much data (an alias bomb?); write the values out instead of nesting aliases"
                } else {
                    "fix the YAML syntax (indentation, quoting, tabs) at the reported line"
                };
                problems.push(file_problem(file, index, None, "", format!("malformed YAML: {message}"), fix));
                // The parser cannot resynchronise after a syntax error.
                return;
            }
        };
        if value.is_null() {
            continue;
        }
        // The price table and the list of domestic platforms (ConfigMaps
        // labelled govcloud.io/prices and govcloud.io/domestic-platforms, read
        // by `govcloud evaluate`) live beside the model: neither a model
        // object nor one of the cluster's.
        if str_field(&value, &["kind"]) == Some("ConfigMap")
            && [crate::meta::labels::PRICES, crate::meta::labels::DOMESTIC_PLATFORMS]
                .iter()
                .any(|l| str_field(&value, &["metadata", "labels", l]).is_some())
        {
            continue;
        }
        // govcloud's own kinds are the model, but for what it renders of
        // them (the catalogue's SharedResources), which are objects like any other.
        let rendered = str_field(&value, &["kind"])
            .is_some_and(|k| k == <crate::api::SharedResource as k8s_openapi::Resource>::KIND);
        let ours =
            !rendered && str_field(&value, &["apiVersion"]).is_some_and(|v| v.starts_with(crate::meta::GROUP_PREFIX));
        if let (false, Some(sink)) = (ours, others.as_deref_mut())
            && str_field(&value, &["kind"]).is_some()
        {
            match serde_json::to_value(&value) {
                Ok(v) => sink.push(v),
                Err(e) => problems.push(file_problem(
                    file,
                    index,
                    None,
                    "",
                    format!("cannot read object: {e}"),
                    "check the document",
                )),
            }
            continue;
        }
        if let Err(p) = load_document(file, index, value, loaded) {
            problems.extend(p);
        }
    }
}

/// Where flow collections (`[`, `{`) nest deeper than `max`, as (document,
/// line), both 1-based. A conservative scan: quoted scalars and comments are
/// skipped, a bracket anywhere else counts.
fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut document, mut started) = (0usize, 1usize, 1usize, false);
    let mut chars = text.chars().peekable();
    let mut prev = '\n';
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '-' if prev == '\n' && chars.clone().take(2).eq(['-', '-']) => {
                // A separator starts the next document, except before any content.
                chars.nth(1);
                document += usize::from(started);
                started = true;
                prev = '-';
                continue;
            }
            '#' if prev.is_whitespace() => {
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                }
                continue;
            }
            '"' | '\'' if prev.is_whitespace() || matches!(prev, '[' | '{' | ',' | ':') => {
                while let Some(n) = chars.next() {
                    match n {
                        '\\' if c == '"' => {
                            chars.next();
                        }
                        '\n' => line += 1,
                        n if n == c => break,
                        _ => {}
                    }
                }
            }
            '[' | '{' => {
                depth += 1;
                if depth > max {
                    return Some((document, line));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        started |= !c.is_whitespace();
        prev = c;
    }
    None
}

/// The first YAML tag (`!name`) in a value, as (field path, tag): tags have no
/// JSON form, and kubectl and the API server would not see them.
fn find_tag(value: &serde_norway::Value, path: &str) -> Option<(String, String)> {
    let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match value {
        serde_norway::Value::Tagged(t) => {
            Some((if path.is_empty() { "(root)".into() } else { path.to_string() }, t.tag.to_string()))
        }
        serde_norway::Value::Sequence(items) => {
            items.iter().enumerate().find_map(|(i, v)| find_tag(v, &format!("{path}[{i}]")))
        }
        serde_norway::Value::Mapping(map) => {
            map.iter().find_map(|(k, v)| find_tag(v, &join(k.as_str().unwrap_or("?"))))
        }
        _ => None,
    }
}

fn str_field<'a>(value: &'a serde_norway::Value, path: &[&str]) -> Option<&'a str> {
    let mut v = value;
    for p in path {
        v = v.get(*p)?;
    }
    v.as_str()
}

fn load_document(
    file: &Path,
    index: usize,
    value: serde_norway::Value,
    loaded: &mut LoadedModel,
) -> Result<(), Vec<FileProblem>> {
    let single = |object: Option<ObjectRef>, field: &str, message: String, fix: &str| {
        vec![file_problem(file, index, object, field, message, fix)]
    };
    if !value.is_mapping() {
        return Err(single(
            None,
            "",
            "a document must be a mapping with apiVersion, kind and metadata".into(),
            "write one Kubernetes object per YAML document",
        ));
    }
    let kind = str_field(&value, &["kind"]).unwrap_or_default().to_string();
    let api_version = str_field(&value, &["apiVersion"]).unwrap_or_default().to_string();
    let name = str_field(&value, &["metadata", "name"]).unwrap_or_default().to_string();
    let namespace = str_field(&value, &["metadata", "namespace"]).map(str::to_string);
    let object = (!kind.is_empty() && !name.is_empty()).then(|| ObjectRef {
        kind: kind.clone(),
        namespace: namespace.clone(),
        name: name.clone(),
    });

    if kind.is_empty() {
        return Err(single(None, "kind", "missing kind".into(), &format!("set kind to one of {}", kinds())));
    }
    if !matches!(kind.as_str(), "NetworkZone" | "Tenant" | "DepartmentApp" | "ResourceRequest") {
        return Err(single(
            object,
            "kind",
            format!("unknown kind {kind:?} (apiVersion {api_version:?})"),
            &format!("govcloud reads only {}; move other manifests out of the paths given with -f", kinds()),
        ));
    }
    if api_version != API_VERSION {
        return Err(single(
            object,
            "apiVersion",
            format!("unknown apiVersion {api_version:?} for {kind}"),
            &format!("set apiVersion: {API_VERSION}"),
        ));
    }
    if name.is_empty() {
        return Err(single(None, "metadata.name", format!("{kind} has no metadata.name"), "give the object a name"));
    }
    let namespaced = matches!(kind.as_str(), "DepartmentApp" | "ResourceRequest");
    match (&namespace, namespaced) {
        (None, true) => {
            return Err(single(
                object,
                "metadata.namespace",
                format!("a {kind} is namespaced and has no metadata.namespace"),
                "set metadata.namespace to the tenant's namespace for the zone, <tenant>-<zone>",
            ));
        }
        (Some(_), false) => {
            return Err(single(
                object,
                "metadata.namespace",
                format!("{kind} is cluster-scoped and takes no namespace"),
                "remove metadata.namespace",
            ));
        }
        _ => {}
    }
    let object = object.unwrap_or_else(|| ObjectRef::cluster(&kind, &name));
    if let Some((field, tag)) = find_tag(&value, "") {
        return Err(single(
            Some(object),
            &field,
            format!(
                "YAML tag {tag} is not supported: tags have no JSON form, so the API server would never see what it means"
            ),
            "remove the tag and write the plain value",
        ));
    }
    if let Some((first_file, first_doc)) = loaded.origins.get(&object) {
        return Err(single(
            Some(object.clone()),
            "metadata.name",
            format!("duplicate: {object} is also declared in {} (document {first_doc})", first_file.display()),
            "keep one declaration per object; rename or remove the other",
        ));
    }
    match kind.as_str() {
        "NetworkZone" => loaded.model.zones.push(typed::<NetworkZone>(file, index, &object, value)?),
        "Tenant" => loaded.model.tenants.push(typed::<Tenant>(file, index, &object, value)?),
        "ResourceRequest" => loaded.model.requests.push(typed::<ResourceRequest>(file, index, &object, value)?),
        _ => loaded.model.apps.push(typed::<DepartmentApp>(file, index, &object, value)?),
    }
    loaded.origins.insert(object, (file.to_path_buf(), index));
    Ok(())
}

/// Deserializes with field paths, refuses unknown fields, then applies the
/// CRD's own CEL rules, so offline checks match what the API server enforces.
fn typed<K>(file: &Path, index: usize, object: &ObjectRef, value: serde_norway::Value) -> Result<K, Vec<FileProblem>>
where
    K: DeserializeOwned + Serialize + CustomResourceExt + Resource<DynamicType = ()>,
{
    let mut unknown = Vec::new();
    let mut record = |path: serde_ignored::Path<'_>| unknown.push(field_path(&path.to_string()));
    let de = serde_ignored::Deserializer::new(value, &mut record);
    let parsed: Result<K, _> = serde_path_to_error::deserialize(de);
    let obj = match parsed {
        Ok(o) => o,
        Err(e) => {
            let path = e.path().to_string();
            let (message, fix) = explain_serde(e.inner().to_string());
            return Err(vec![file_problem(file, index, Some(object.clone()), &path, message, fix)]);
        }
    };
    let mut problems: Vec<FileProblem> = unknown
        .into_iter()
        .filter(|p| !matches!(p.as_str(), "apiVersion" | "kind" | "status") && !p.starts_with("status."))
        .map(|p: String| {
            file_problem(
                file,
                index,
                Some(object.clone()),
                &p,
                "unknown field".to_string(),
                format!(
                    "remove it or correct its spelling; `kubectl explain {}.{}` lists the fields",
                    object.kind.to_lowercase(),
                    p.split('.').next().unwrap_or("spec")
                ),
            )
        })
        .collect();
    // Without the schema or the object as JSON, nothing could be checked:
    // that is an error, never a silent pass.
    let schema = schema_of::<K>()
        .map_err(|e| vec![file_problem(file, index, Some(object.clone()), "", e, "report this as a govcloud bug")])?;
    let json = serde_json::to_value(&obj).map_err(|e| {
        vec![file_problem(
            file,
            index,
            Some(object.clone()),
            "",
            format!("cannot be checked: {e}"),
            "report this as a govcloud bug",
        )]
    })?;
    let at =
        |field: &str, message: String, fix: &str| file_problem(file, index, Some(object.clone()), field, message, fix);
    let mut violations = Vec::new();
    super::schema::check(&schema.0, &json, "", &mut violations);
    for (field, message) in violations {
        problems.push(at(&field, message, "shorten or deduplicate the value (the API server enforces the same limit)"));
    }
    if let Err(errors) = kube::core::cel::validate_compiled(&schema.1, &json, None) {
        for e in errors.into_vec() {
            let field = e.field_path.trim_start_matches('.').to_string();
            let (message, field) = match e.message.split_once(": ") {
                // Root rules carry their field in the message ("metadata.name: ...").
                Some((f, m)) if field.is_empty() && f.contains('.') && !f.contains(' ') => {
                    (m.to_string(), f.to_string())
                }
                _ => (e.message.clone(), field),
            };
            problems.push(at(
                &field,
                message,
                "change the value to satisfy the rule (the API server enforces the same rule)",
            ));
        }
    }
    if problems.is_empty() { Ok(obj) } else { Err(problems) }
}

/// A path as serde_ignored spells it (`spec.env.0.valueFrom.?.secret`: list
/// indexes as segments, `?` for each optional field) as Kubernetes spells
/// field paths (`spec.env[0].valueFrom.secret`).
fn field_path(ignored: &str) -> String {
    let mut out = String::new();
    for segment in ignored.split('.').filter(|s| *s != "?") {
        if !out.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

thread_local! {
    /// Per kind: the CRD's schema and its compiled CEL rules (compiling costs far more than evaluating).
    static SCHEMAS: std::cell::RefCell<BTreeMap<String, std::rc::Rc<(serde_json::Value, kube::core::cel::CompiledSchema)>>> = Default::default();
}

/// The CRD schema of `K` and its compiled rules, built once per kind and thread.
type Schema = std::rc::Rc<(serde_json::Value, kube::core::cel::CompiledSchema)>;

fn schema_of<K: CustomResourceExt + Resource<DynamicType = ()>>() -> Result<Schema, String> {
    let kind = K::kind(&()).to_string();
    if let Some(s) = SCHEMAS.with(|c| c.borrow().get(&kind).cloned()) {
        return Ok(s);
    }
    let crd = K::crd();
    let schema = crd
        .spec
        .versions
        .first()
        .and_then(|v| v.schema.as_ref())
        .and_then(|s| s.open_api_v3_schema.as_ref())
        .ok_or_else(|| format!("the {kind} CRD has no schema to check against"))?;
    let schema = serde_json::to_value(schema).map_err(|e| format!("the {kind} CRD's schema: {e}"))?;
    let compiled = kube::core::cel::compile_schema(&schema);
    let s: Schema = std::rc::Rc::new((schema, compiled));
    SCHEMAS.with(|c| c.borrow_mut().insert(kind, s.clone()));
    Ok(s)
}

/// Turns serde's wording into a message and a fix.
fn explain_serde(message: String) -> (String, String) {
    let fix = if message.starts_with("missing field") {
        "add the field; `kubectl explain` after installing the CRDs describes it"
    } else if message.starts_with("unknown variant") {
        "use one of the values listed"
    } else if message.starts_with("invalid type") {
        "give the field a value of the expected type"
    } else {
        "correct the value"
    };
    (message, fix.to_string())
}

#[cfg(test)]
mod tests;
