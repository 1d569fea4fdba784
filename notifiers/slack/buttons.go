package slack

import slackgo "github.com/slack-go/slack"

// Action IDs of the message's buttons; the Listener dispatches on them.
const (
	ActionAcknowledge   = "vigil_ack"
	ActionSnoozeHour    = "vigil_snooze_1h"
	ActionSnoozeDay     = "vigil_snooze_1d"
	ActionSnoozeRecover = "vigil_snooze_recovery"
	ActionNotAnomaly    = "vigil_not_anomaly"
)

// actionsBlockID names the buttons' block so that updates can find it.
const actionsBlockID = "vigil_actions"

// buttons are the incident's actions; their value is the incident ID. An
// ID too long for a button value gets no buttons rather than a wrong one.
func buttons(incidentID string) *slackgo.ActionBlock {
	if incidentID == "" || runeLen(incidentID) > maxButtonValue {
		return nil
	}
	return buttonsExcept(incidentID, "")
}

// buttonsExcept is buttons without the one whose action ID is skip.
func buttonsExcept(incidentID, skip string) *slackgo.ActionBlock {
	var elems []slackgo.BlockElement
	for _, b := range []struct{ id, label, style string }{
		{ActionAcknowledge, "Acknowledge", "primary"},
		{ActionSnoozeHour, "Snooze 1h", ""},
		{ActionSnoozeDay, "Snooze 1d", ""},
		{ActionSnoozeRecover, "Snooze until it recovers", ""},
		{ActionNotAnomaly, "Not an anomaly", "danger"},
	} {
		if b.id == skip {
			continue
		}
		e := slackgo.NewButtonBlockElement(b.id, incidentID, plain(truncate(b.label, maxButtonText)))
		if b.style != "" {
			e = e.WithStyle(slackgo.Style(b.style))
		}
		elems = append(elems, e)
	}
	return slackgo.NewActionBlock(actionsBlockID, elems...)
}
