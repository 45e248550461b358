package slackfake

import (
	"bytes"
	"encoding/json"
)

// MessageMetadata is the metadata an app attached to a message
// (chat.postMessage and chat.update "metadata", slack-go's
// slack.SlackMetadata).
type MessageMetadata struct {
	// EventType names the app's event ("duo_created").
	EventType string
	// EventPayload is the free-form payload, decoded as encoding/json
	// decodes into map[string]any (numbers are float64).
	EventPayload map[string]any
}

func (m *MessageMetadata) clone() *MessageMetadata {
	if m == nil {
		return nil
	}
	return &MessageMetadata{EventType: m.EventType, EventPayload: cloneJSONMap(m.EventPayload)}
}

// json renders the metadata as Slack returns it.
func (m *MessageMetadata) json() map[string]any {
	return map[string]any{"event_type": m.EventType, "event_payload": cloneJSONMap(m.EventPayload)}
}

// cloneJSONMap deep-copies a decoded JSON object.
func cloneJSONMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneJSONValue(v)
	}
	return out
}

func cloneJSONValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneJSONMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneJSONValue(e)
		}
		return out
	}
	return v
}

// metadataParam reads the "metadata" parameter of chat.postMessage and
// chat.update: a JSON object {"event_type": a non-empty string,
// "event_payload": an object} (a form field holding that JSON, as slack-go
// sends it, or the object itself in a JSON body). present is false when the
// parameter is absent or empty; clear is true for "{}", which chat.update
// takes as "remove the metadata". Anything else is invalid_metadata_format,
// as in Slack.
func metadataParam(r *apiRequest) (md *MessageMetadata, present, clear bool, e *apiError) {
	raw, ok := r.jsonParam("metadata")
	if !ok || len(bytes.TrimSpace(raw)) == 0 {
		return nil, false, false, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, true, false, errCode("invalid_metadata_format")
	}
	if len(obj) == 0 {
		return nil, true, true, nil
	}
	var md0 struct {
		EventType    *string        `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal(raw, &md0); err != nil || md0.EventType == nil || *md0.EventType == "" ||
		md0.EventPayload == nil {
		return nil, true, false, errCode("invalid_metadata_format")
	}
	return &MessageMetadata{EventType: *md0.EventType, EventPayload: md0.EventPayload}, true, false, nil
}
