package ops

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// maxReason caps the readiness error shown in a 503 body.
const maxReason = 1024

// routes are the endpoints, in the order the index lists them.
var routes = []struct{ Path, What string }{
	{"/metrics", "Prometheus metrics (vigil_*, Go runtime, process)"},
	{"/healthz", "liveness: 200 while the process runs"},
	{"/readyz", "readiness: 200 when configuration is loaded and sources are reachable, 503 and the reason otherwise"},
}

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>vigil</title></head>
<body><h1>vigil</h1><ul>
{{range .}}<li><a href="{{.Path}}">{{.Path}}</a>: {{.What}}</li>
{{end}}</ul></body></html>
`))

// Handler returns the server's routes, for mounting elsewhere or testing
// without a socket. Only GET and HEAD are allowed; other paths are 404.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		plain(w, http.StatusOK, "ok\n")
	})
	mux.HandleFunc("GET /readyz", s.serveReady)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := indexPage.Execute(w, routes); err != nil {
			s.log.Debug("writing the index", "err", err)
		}
	})
	return mux
}

func (s *Server) metricsHandler() http.Handler {
	h := promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{
		ErrorLog:            promLogger{s.log},
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            s.reg, // counts gathering and encoding errors
		MaxRequestsInFlight: 4,
		Timeout:             20 * time.Second,
	})
	return promhttp.InstrumentMetricHandler(s.reg, h)
}

// serveReady answers 200 "ready" or 503 "not ready: <reason>". The reason
// goes through Redact and is cut to maxReason bytes.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	err := s.ready.Check(r.Context())
	if err == nil {
		plain(w, http.StatusOK, "ready\n")
		return
	}
	reason := Redact(err.Error())
	if len(reason) > maxReason {
		n := maxReason
		for n > 0 && !utf8.RuneStart(reason[n]) {
			n-- // cut between characters, not inside one
		}
		reason = reason[:n] + "…"
	}
	plain(w, http.StatusServiceUnavailable, "not ready: "+reason+"\n")
}

// plain writes a short text answer that no cache keeps.
func plain(w http.ResponseWriter, code int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprint(w, body)
}

// promLogger hands promhttp's errors to slog.
type promLogger struct{ log *slog.Logger }

func (l promLogger) Println(v ...any) {
	l.log.Error("serving metrics", "err", fmt.Sprint(v...))
}
