package syncserver

import (
	"context"
	"fmt"

	"laoxiao/schema"
)

// SaveProgress writes a progress report an office enters on a task,
// under unit (the task's county, or a township below it), through the
// single writer like a device's report. It returns the report's fresh id;
// a report the writer refuses is a *RefusedError.
func (s *Server) SaveProgress(ctx context.Context, unit schema.Code, p schema.Progress) (string, error) {
	id := schema.NewID()
	if err := s.submitOne(ctx, schema.KindProgress, id, unit, p); err != nil {
		return "", fmt.Errorf("save progress on %s: %w", p.Task, err)
	}
	return id, nil
}

// ProjectUpdate is what an office updates on a project: where it stands.
type ProjectUpdate struct {
	Status  schema.ProjectStatus
	Percent int64
	Note    string
}

// UpdateProject writes a project's status, progress and note, and only
// those fields: the investment and the rest stay as the township or the
// plan last set them, even if their edit reaches the server later.
func (s *Server) UpdateProject(ctx context.Context, id string, unit schema.Code, u ProjectUpdate) error {
	set, err := schema.EncodeFields(schema.Project{Status: u.Status, Percent: u.Percent, Note: u.Note})
	if err != nil {
		return err
	}
	keep := schema.Fields{"status": set["status"], "percent": set["percent"], "note": set["note"]}
	ack, err := s.in.SubmitServer(ctx, []schema.Change{{Kind: schema.KindProject, ID: id, Unit: unit, Set: keep}})
	if err != nil {
		return fmt.Errorf("update project %s: %w", id, err)
	}
	if len(ack.Rejected) > 0 {
		return &RefusedError{Rejection: ack.Rejected[0]}
	}
	return nil
}
