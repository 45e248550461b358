package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// fileState is a file between files.getUploadURLExternal and
// files.completeUploadExternal, and after.
type fileState struct {
	File
	uploaded, completed bool
}

// apiFilesGetUploadURL reserves a file ID and an upload URL on the fake.
func (s *Server) apiFilesGetUploadURL(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.str("filename")
	n, err := strconv.Atoi(r.str("length"))
	if name == "" || err != nil || n <= 0 {
		return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] filename and a positive length are required"}}
	}
	f := &fileState{File: File{ID: s.newIDLocked("F"), Name: name, Length: n, User: s.opts.BotUserID}}
	s.files[f.ID] = f
	s.fileOrder = append(s.fileOrder, f.ID)
	s.notifyLocked()
	return map[string]any{"upload_url": s.base + "/upload/v1/" + f.ID, "file_id": f.ID}, nil
}

// handleUpload receives the bytes of a file (POST, multipart field "file",
// or a raw body) and answers "OK - <size>" like Slack's upload host.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/v1/")
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var data []byte
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		var f io.ReadCloser
		f, _, err = r.FormFile("file")
		if err == nil {
			data, err = io.ReadAll(f)
			f.Close()
		}
	} else {
		data, err = io.ReadAll(r.Body)
	}
	if err != nil {
		http.Error(w, "bad upload: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	f, ok := s.files[id]
	if ok {
		f.Content, f.uploaded = data, true
		s.notifyLocked()
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "file not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "OK - %d", len(data))
}

// apiFilesCompleteUpload finishes uploads and, with channel_id (or
// channels), shares them as one message from the bot carrying the files and
// the initial_comment.
func (s *Server) apiFilesCompleteUpload(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, _ := r.jsonParam("files")
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] files must be a non-empty JSON array"}}
	}
	var states []*fileState
	for _, it := range list {
		f, ok := s.files[it.ID]
		switch {
		case !ok:
			return nil, errCode("file_not_found")
		case !f.uploaded:
			return nil, errCode("file_upload_not_found") // bytes never posted to upload_url
		case f.completed:
			return nil, errCode("file_already_completed")
		}
		states = append(states, f)
	}
	chID := r.str("channel_id")
	if chID == "" {
		chID, _, _ = strings.Cut(r.str("channels"), ",")
	}
	var c *channelState
	if chID != "" {
		c = s.resolveChannelLocked(chID)
		if c == nil || !s.botVisibleLocked(c) {
			return nil, errCode("channel_not_found")
		}
		if !c.IsMember(s.opts.BotUserID) {
			return nil, errCode("not_in_channel")
		}
	}
	var out []map[string]any
	var shared []File
	for i, f := range states {
		f.Title = list[i].Title
		if f.Title == "" {
			f.Title = f.Name
		}
		f.completed = true
		if c != nil {
			f.Channel = c.ID
		}
		shared = append(shared, f.File)
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	if c != nil {
		m := &Message{TS: s.nextTSLocked(), Channel: c.ID, User: s.opts.BotUserID, BotID: s.opts.BotID,
			Text: r.str("initial_comment"), ThreadTS: r.str("thread_ts"), Files: cloneFiles(shared),
			Source: "files.completeUploadExternal"}
		s.addMessageLocked(c, m)
	}
	s.notifyLocked()
	return map[string]any{"files": out}, nil
}

func cloneFiles(fs []File) []File {
	out := slices.Clone(fs)
	for i := range out {
		out[i].Content = slices.Clone(out[i].Content)
	}
	return out
}

// Files returns every completed upload, oldest first, with its bytes.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	for _, id := range s.fileOrder {
		if f := s.files[id]; f.completed {
			fc := f.File
			fc.Content = slices.Clone(f.Content)
			out = append(out, fc)
		}
	}
	return out
}
