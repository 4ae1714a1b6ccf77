//! Mailchimp Marketing: the declarative spec (`engine/pieces/mailchimp.json`) plus what a spec
//! cannot say:
//!
//! - [`AddOrUpdateMember`]: `PUT /lists/{list_id}/members/{subscriber_hash}`, then, when tags are
//!   given, `POST …/tags` (the PUT body has no `tags` field; only the create-member POST does).
//! - [`AddMemberTags`]: `POST …/tags`, whose body wraps each tag name as
//!   `{"name", "status": "active"}`, which templates cannot map over an array.
//! - The `audience_event` trigger ([`trigger::AudienceEvent`]).
//!
//! Members are addressed by their subscriber hash, the MD5 of the lower-case email address, as
//! Mailchimp documents it; [`subscriber_hash`] computes it (MD5 is only an identifier here).
//! Requests use HTTP basic auth with the API key as the password, and the data center from the
//! connection's `server_prefix` (or the key's suffix after the dash).

// `StepError` is the engine-wide failure type; it is only built on the (cold) failure path.
#![allow(clippy::result_large_err)]

pub mod trigger;

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::piece::http_client::HttpResponse;
use crate::piece::{Action, ActionContext, BoxFuture, HttpClient, TriggerSource};
use crate::step_error::{ErrorKind, StepError};

/// The piece id.
pub const PIECE_ID: &str = "mailchimp";
/// The vendor's name in error messages (the spec's `name`).
const VENDOR: &str = "Mailchimp";
/// Any user name works with Mailchimp's basic auth; the key is the password.
const BASIC_USER: &str = "switchboard";

/// Rust actions and triggers by name, as the declared-piece loader takes them.
pub type RustParts = (BTreeMap<String, Arc<dyn Action>>, BTreeMap<String, Arc<dyn TriggerSource>>);

/// The Rust behind the spec: two actions and the `audience_event` trigger.
pub fn rust_parts() -> RustParts {
    let mut actions: BTreeMap<String, Arc<dyn Action>> = BTreeMap::new();
    actions.insert("add_or_update_member".to_owned(), Arc::new(AddOrUpdateMember));
    actions.insert("add_member_tags".to_owned(), Arc::new(AddMemberTags));
    let mut triggers: BTreeMap<String, Arc<dyn TriggerSource>> = BTreeMap::new();
    triggers.insert(trigger::AUDIENCE_EVENT.to_owned(), Arc::new(trigger::AudienceEvent));
    (actions, triggers)
}

/// `add_or_update_member`: upsert by subscriber hash, then tag.
#[derive(Debug, Clone, Copy, Default)]
pub struct AddOrUpdateMember;

impl Action for AddOrUpdateMember {
    fn run<'a>(
        &'a self,
        ctx: &'a ActionContext,
        props: Value,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(add_or_update_member(ctx, props))
    }
}

/// `add_member_tags`: add (and remove) tags of one member.
#[derive(Debug, Clone, Copy, Default)]
pub struct AddMemberTags;

impl Action for AddMemberTags {
    fn run<'a>(
        &'a self,
        ctx: &'a ActionContext,
        props: Value,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(add_member_tags(ctx, props))
    }
}

/// The MD5 hex of the trimmed, lower-cased email address: how Mailchimp names a member in paths.
pub fn subscriber_hash(email: &str) -> String {
    md5_hex(email.trim().to_lowercase().as_bytes())
}

/// Where and how to call the API for this step's connection.
struct Api {
    base: String,
    api_key: String,
}

impl Api {
    fn for_step(ctx: &ActionContext) -> Result<Self, StepError> {
        let connection = ctx.connection.as_ref().ok_or_else(|| {
            StepError::new(
                ErrorKind::Connection,
                format!("this step needs a {VENDOR} connection (set `connection` on the step)"),
            )
        })?;
        if connection.piece != PIECE_ID && connection.piece != "http" {
            return Err(StepError::new(
                ErrorKind::Connection,
                format!(
                    "connection `{}` is for {}, not {VENDOR}",
                    connection.name, connection.piece
                ),
            ));
        }
        let api_key =
            connection.value("api_key").map(str::trim).filter(|k| !k.is_empty()).ok_or_else(
                || {
                    StepError::new(
                        ErrorKind::Connection,
                        format!("connection `{}` has no `api_key`", connection.name),
                    )
                },
            )?;
        let prefix = connection
            .value("server_prefix")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .or_else(|| api_key.rsplit_once('-').map(|(_, dc)| dc))
            .unwrap_or_default();
        // The prefix becomes part of the host name: only a data-center name may go there, so a
        // typo cannot send the key to another host.
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(StepError::new(
                ErrorKind::Connection,
                format!(
                    "connection `{}`: the server prefix must be the data center at the end of \
                     the API key, e.g. us21",
                    connection.name
                ),
            ));
        }
        let default = format!("https://{}.api.mailchimp.com/3.0", prefix.to_ascii_lowercase());
        Ok(Self { base: ctx.http.base_url(PIECE_ID, &default), api_key: api_key.to_owned() })
    }

    /// Sends one JSON request; HTTP errors become step errors in Mailchimp's words.
    async fn send(
        &self,
        ctx: &ActionContext,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: &Value,
    ) -> Result<HttpResponse, StepError> {
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.base)).map_err(|e| {
            StepError::invalid_input(format!("{VENDOR}: the request URL is not valid: {e}"))
        })?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let request = ctx
            .http
            .client()
            .request(method, url)
            .basic_auth(BASIC_USER, Some(&self.api_key))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        let response = ctx.http.send(request, ctx.timeout).await?;
        if response.is_success() {
            Ok(response)
        } else {
            Err(HttpClient::status_error(VENDOR, &response))
        }
    }
}

async fn add_or_update_member(ctx: &ActionContext, props: Value) -> Result<Value, StepError> {
    let list_id = required_text(&props, "list_id")?;
    let email = required_text(&props, "email")?;
    let tags = tag_names(props.get("tags"), "tags")?;
    let mut body = Map::new();
    body.insert("email_address".into(), Value::String(email.clone()));
    let status_if_new =
        optional_text(&props, "status_if_new").unwrap_or_else(|| "subscribed".into());
    body.insert("status_if_new".into(), Value::String(status_if_new));
    if let Some(status) = optional_text(&props, "status") {
        body.insert("status".into(), Value::String(status));
    }
    match props.get("merge_fields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) if m.is_empty() => {}
        Some(Value::Object(m)) => {
            body.insert("merge_fields".into(), Value::Object(m.clone()));
        }
        Some(other) => {
            return Err(StepError::invalid_input(format!(
                "{VENDOR}: `merge_fields` must be an object of merge tags to values, not {other}"
            )));
        }
    }
    let skip_validation = matches!(props.get("skip_merge_validation"), Some(Value::Bool(true)));
    let query: &[(&str, &str)] =
        if skip_validation { &[("skip_merge_validation", "true")] } else { &[] };

    let api = Api::for_step(ctx)?;
    let hash = subscriber_hash(&email);
    let path = format!("/lists/{}/members/{hash}", encode_segment(&list_id));
    let response = api.send(ctx, Method::PUT, &path, query, &Value::Object(body)).await?;
    let mut member: Value = response.json()?;
    if !tags.is_empty() {
        // The member's own id is its subscriber hash; ours is the same unless Mailchimp
        // normalised the address differently.
        let id = member.get("id").and_then(Value::as_str).unwrap_or(&hash).to_owned();
        let tags_body = tags_body(&tags, &[]);
        let path =
            format!("/lists/{}/members/{}/tags", encode_segment(&list_id), encode_segment(&id));
        api.send(ctx, Method::POST, &path, &[], &tags_body).await?;
        if let Value::Object(m) = &mut member {
            m.insert("tags_added".into(), json!(tags));
        }
    }
    Ok(member)
}

async fn add_member_tags(ctx: &ActionContext, props: Value) -> Result<Value, StepError> {
    let list_id = required_text(&props, "list_id")?;
    let email = required_text(&props, "email")?;
    let add = tag_names(props.get("tags"), "tags")?;
    let remove = tag_names(props.get("remove_tags"), "remove_tags")?;
    if add.is_empty() && remove.is_empty() {
        return Err(StepError::invalid_input(format!("{VENDOR}: `tags` is required")));
    }
    let api = Api::for_step(ctx)?;
    let hash = subscriber_hash(&email);
    let body = tags_body(&add, &remove);
    let path = format!("/lists/{}/members/{hash}/tags", encode_segment(&list_id));
    api.send(ctx, Method::POST, &path, &[], &body).await?;
    Ok(json!({
        "list_id": list_id,
        "email_address": email,
        "subscriber_hash": hash,
        "tags": body["tags"],
    }))
}

/// `{"tags": [{"name", "status": "active"}, …, {"name", "status": "inactive"}, …]}`.
fn tags_body(add: &[String], remove: &[String]) -> Value {
    let tag = |name: &String, status: &str| json!({ "name": name, "status": status });
    let tags: Vec<Value> = add
        .iter()
        .map(|n| tag(n, "active"))
        .chain(remove.iter().map(|n| tag(n, "inactive")))
        .collect();
    json!({ "tags": tags })
}

/// Tag names from an array of texts or a comma-separated text; blanks are dropped.
fn tag_names(value: Option<&Value>, prop: &str) -> Result<Vec<String>, StepError> {
    let items: Vec<String> = match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.split(',').map(str::to_owned).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                other => Err(StepError::invalid_input(format!(
                    "{VENDOR}: `{prop}` must hold tag names, not {other}"
                ))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(StepError::invalid_input(format!(
                "{VENDOR}: `{prop}` must be a list of tag names, not {other}"
            )));
        }
    };
    Ok(items.into_iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect())
}

fn optional_text(props: &Value, name: &str) -> Option<String> {
    props
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn required_text(props: &Value, name: &str) -> Result<String, StepError> {
    optional_text(props, name)
        .ok_or_else(|| StepError::invalid_input(format!("{VENDOR}: `{name}` is required")))
}

/// Percent-encodes everything but RFC 3986 unreserved characters (as the spec executor does).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// MD5 (RFC 1321) as lower-case hex.
fn md5_hex(input: &[u8]) -> String {
    const SHIFTS: [u32; 16] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
    // K[i] = floor(|sin(i + 1)| * 2^32), as the RFC defines the table.
    let k: Vec<u32> = (0..64u32)
        .map(|i| {
            let v = (f64::from(i + 1)).sin().abs() * 4_294_967_296.0;
            // In range by construction: |sin| < 1.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let v = v.floor() as u32;
            v
        })
        .collect();
    let mut message = input.to_vec();
    let bit_len = (input.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_le_bytes());

    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for chunk in message.chunks_exact(64) {
        let mut words = [0u32; 16];
        for (w, bytes) in words.iter_mut().zip(chunk.chunks_exact(4)) {
            *w = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(words[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(SHIFTS[(i / 16) * 4 + i % 4]));
        }
        state[0] = state[0].wrapping_add(a);
        state[1] = state[1].wrapping_add(b);
        state[2] = state[2].wrapping_add(c);
        state[3] = state[3].wrapping_add(d);
    }
    state.iter().flat_map(|w| w.to_le_bytes()).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_the_rfc_and_mailchimps_own_example() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            md5_hex(b"The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6"
        );
        // Padding edge cases: 55, 56 and 64 bytes.
        assert_eq!(md5_hex(&[b'a'; 55]), "ef1772b6dff9a122358552954ad0df65");
        assert_eq!(md5_hex(&[b'a'; 56]), "3b0c8ac703f828b04c6c197006d17218");
        assert_eq!(md5_hex(&[b'a'; 64]), "014842d480b571495a4a0363793f7367");
        // Mailchimp's guide: Urist.McVankab@freddiesjokes.com → 62eeb292278cc15f5817cb78f7790b08.
        assert_eq!(
            subscriber_hash(" Urist.McVankab@freddiesjokes.com "),
            "62eeb292278cc15f5817cb78f7790b08"
        );
    }

    #[test]
    fn tags_from_arrays_or_text() {
        let names = |v: Value| tag_names(Some(&v), "tags").unwrap_or_default();
        assert_eq!(names(json!(["a", " b ", "", 7])), ["a", "b", "7"]);
        assert_eq!(names(json!("a, b,,c")), ["a", "b", "c"]);
        assert!(names(Value::Null).is_empty());
        assert!(tag_names(Some(&json!([{ "name": "x" }])), "tags").is_err());
        assert!(tag_names(Some(&json!(3)), "tags").is_err());
        assert_eq!(
            tags_body(&["vip".into()], &["trial".into()]),
            json!({ "tags": [{ "name": "vip", "status": "active" }, { "name": "trial", "status": "inactive" }] })
        );
    }
}

#[cfg(test)]
mod http_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::piece::{Connection, HttpConfig};
    use wiremock::matchers::{body_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn ctx(server: &MockServer, values: Value) -> ActionContext {
        let mut config = HttpConfig::default();
        config.base_url_overrides.insert(PIECE_ID.into(), server.uri());
        ActionContext {
            run_id: "run-1".into(),
            step_path: "step".into(),
            idempotency_key: "run-1:step".into(),
            attempt: 1,
            connection: Some(Connection {
                id: "c1".into(),
                name: "mc".into(),
                piece: PIECE_ID.into(),
                values: values.as_object().cloned().unwrap_or_default(),
            }),
            http: HttpClient::new(config).unwrap(),
            timeout: None,
        }
    }

    /// The upsert's second request (the tags) goes to the member's id with active tags.
    #[tokio::test]
    async fn upsert_then_tags() {
        let server = MockServer::start().await;
        let hash = "3e3417d7ef77d5932a6734b916515ed5";
        Mock::given(method("PUT"))
            .and(path(format!("/lists/a1b2c3d4e5/members/{hash}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": hash })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("/lists/a1b2c3d4e5/members/{hash}/tags")))
            .and(header("authorization", "Basic c3dpdGNoYm9hcmQ6a2V5LXVzMjE="))
            .and(body_json(json!({ "tags": [{ "name": "lead", "status": "active" }] })))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        // No server prefix: it is taken from the key's suffix.
        let ctx = ctx(&server, json!({ "api_key": "key-us21" }));
        let out = AddOrUpdateMember
            .run(
                &ctx,
                json!({ "list_id": "a1b2c3d4e5", "email": "ada@example.com", "tags": ["lead"] }),
            )
            .await
            .unwrap();
        assert_eq!(out, json!({ "id": hash, "tags_added": ["lead"] }));
    }

    #[tokio::test]
    async fn a_prefix_that_is_not_a_data_center_is_refused() {
        let server = MockServer::start().await;
        let ctx = ctx(&server, json!({ "api_key": "k", "server_prefix": "evil.example/x" }));
        let err = AddMemberTags
            .run(&ctx, json!({ "list_id": "l", "email": "a@b.c", "tags": ["x"] }))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Connection);
        assert!(server.received_requests().await.unwrap_or_default().is_empty());
    }
}
