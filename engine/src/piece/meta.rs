//! Piece metadata: the declaration the editor draws forms from and the validator checks flows against.

use serde::{Deserialize, Serialize};

/// How a piece authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// No credentials.
    #[default]
    None,
    /// An API key in a header or the query.
    ApiKey,
    /// A bearer token.
    Bearer,
    /// HTTP basic auth.
    Basic,
    /// OAuth2 (authorization code with PKCE, or client credentials).
    Oauth2,
    /// Piece-specific fields (e.g. a shop domain plus a token).
    Custom,
}

/// The kinds of props a form can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropKind {
    /// One line of text.
    ShortText,
    /// Several lines of text.
    LongText,
    /// A number.
    Number,
    /// A checkbox.
    Boolean,
    /// One of fixed options.
    Select,
    /// One of options fetched through the piece's API.
    DynamicSelect,
    /// Several of fixed options.
    MultiSelect,
    /// Any JSON value.
    Json,
    /// An object of string keys to values.
    KeyValue,
    /// A list of values.
    Array,
    /// A date-time (RFC 3339).
    DateTime,
    /// A file (URL or base64 content).
    File,
}

/// One option of a select prop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectOption {
    /// What the form shows.
    pub label: String,
    /// What the prop gets.
    pub value: serde_json::Value,
}

/// One prop of an action or trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropMeta {
    /// The key in `props`.
    pub name: String,
    /// The form label.
    pub label: String,
    /// The input kind.
    pub kind: PropKind,
    /// Whether a flow must set it.
    #[serde(default)]
    pub required: bool,
    /// Help text under the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The value used when the prop is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// An example value (also used by the registry-wide render test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
    /// A credential (password, token): its value is redacted from run records.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    /// Options of a `select` / `multi_select` prop.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<SelectOption>,
    /// For a `dynamic_select`: the action of the same piece whose output lists the options
    /// (fetched through the options endpoint with the step's connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_from: Option<OptionsFrom>,
    /// For a `json` prop that holds one of several object shapes told apart by their `type` field
    /// (a webhook's authentication): each shape and its fields, so the editor draws a form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<PropVariant>,
}

/// One shape of a [`PropMeta::variants`] prop: `{"type": value, <fields>…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropVariant {
    /// The value of the object's `type` field.
    pub value: String,
    /// What the form shows for it.
    pub label: String,
    /// The object's other fields.
    #[serde(default)]
    pub fields: Vec<PropMeta>,
}

/// Where a dynamic select's options come from: another action of the same piece.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsFrom {
    /// The action to run (usually an `internal` listing action).
    pub action: String,
    /// Within each item of its output (an array), the path of the option's value.
    pub value: String,
    /// Within each item, the path of the label shown (defaults to the value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Props of the step the options depend on (e.g. the spreadsheet, for its worksheets): they
    /// are passed to the listing action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

/// One action of a piece.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionMeta {
    /// The key used in flows (`"action": "send_message"`).
    pub name: String,
    /// What the picker shows.
    pub label: String,
    /// One sentence on what it does.
    #[serde(default)]
    pub description: String,
    /// Its props, in form order.
    #[serde(default)]
    pub props: Vec<PropMeta>,
    /// Whether props not declared above are accepted (e.g. custom fields); otherwise they are flagged.
    #[serde(default)]
    pub extra_props: bool,
    /// What a successful run typically returns (the editor's data picker shows it before a test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_output: Option<serde_json::Value>,
    /// Hidden from the action picker (listing actions behind dynamic selects).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
}

/// One trigger of a piece.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerMeta {
    /// The key used in flows (`"trigger": "catch"`).
    pub name: String,
    /// What the picker shows.
    pub label: String,
    /// One sentence on what starts it.
    #[serde(default)]
    pub description: String,
    /// Its props.
    #[serde(default)]
    pub props: Vec<PropMeta>,
    /// An example of the trigger's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_output: Option<serde_json::Value>,
    /// Sample deliveries, one per kind of event the sender sends (a call platform's
    /// end-of-call report, status update, tool call, …): a flow can be built and tested before
    /// the first real event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<TriggerSample>,
    /// Where to paste the flow's webhook URL (and secret) in the sending system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<String>,
    /// The sender waits for the flow's answer (a mid-call tool): give it the `/sync` URL.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answers: bool,
    /// The prop whose value the webhook URL must carry as `?token=` (senders that sign nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_token: Option<String>,
}

/// One sample delivery of a trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerSample {
    /// The event it stands for (`end-of-call-report`).
    pub event: String,
    /// What the editor shows.
    pub label: String,
    /// The body as the sender posts it (a form's fields as an object of strings).
    pub payload: serde_json::Value,
    /// The body's content type (`application/json`, `application/x-www-form-urlencoded`).
    pub content_type: String,
    /// The trigger's output for it: what `trigger` holds in the flow's expressions.
    pub output: serde_json::Value,
}

/// Everything the editor and the validator know about a piece.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PieceMeta {
    /// The key used in flows (`"piece": "slack"`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// One sentence.
    #[serde(default)]
    pub description: String,
    /// Picker category (e.g. `Communication`, `CRM`, `Core`).
    #[serde(default)]
    pub category: String,
    /// Icon (a URL path or an inline SVG data URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// How its connections authenticate.
    #[serde(default)]
    pub auth: AuthKind,
    /// What the connection form asks for (none for `none`; OAuth2 pieces may ask for extra
    /// fields such as a shop domain).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth_fields: Vec<PropMeta>,
    /// Help shown above the connection form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_help: Option<String>,
    /// For OAuth2 pieces: the grant and the scopes asked for (the editor starts the flow at
    /// `/api/v1/oauth2/{piece}/start`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Meta>,
    /// Where the vendor documents its API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs_url: Option<String>,
    /// Its actions.
    #[serde(default)]
    pub actions: Vec<ActionMeta>,
    /// Its triggers.
    #[serde(default)]
    pub triggers: Vec<TriggerMeta>,
}

/// What the editor needs to know of a piece's OAuth2 set-up (no secrets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Meta {
    /// `authorization_code` or `client_credentials`.
    pub grant: String,
    /// Scopes requested.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl PieceMeta {
    /// The action with this name.
    pub fn action(&self, name: &str) -> Option<&ActionMeta> {
        self.actions.iter().find(|a| a.name == name)
    }

    /// The trigger with this name.
    pub fn trigger(&self, name: &str) -> Option<&TriggerMeta> {
        self.triggers.iter().find(|t| t.name == name)
    }
}
