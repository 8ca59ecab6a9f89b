package console

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxUploadBytes bounds an uploaded sheet: a city's target sheet takes a
// few hundred kilobytes, so 4 MiB is room to spare, and a 10 MiB file is
// someone's wrong file, refused before it is read into memory whole.
const maxUploadBytes = 4 << 20

// maxDrainBytes is how much of a refused upload is read and dropped so
// the browser, still sending, gets the error page instead of a reset
// connection. Beyond it the connection is simply closed.
const maxDrainBytes = 64 << 20

// upload wraps a multipart form handler like post does (session, CSRF
// token), with a body limit for a file instead of a form's: a larger file
// is 413 with a Chinese page, and nothing else happens.
func (c *Console) upload(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body := r.Body
		r.Body = http.MaxBytesReader(w, body, maxUploadBytes)
		err := r.ParseMultipartForm(maxUploadBytes)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			io.Copy(io.Discard, io.LimitReader(body, maxDrainBytes))
			v, _ := c.session(r)
			c.fail(w, r, v, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("上传的文件太大(上限 %d MB)。目标表一般只有几百 KB,请确认选择的是目标模板文件。", maxUploadBytes>>20))
			return
		}
		if err != nil && !errors.Is(err, http.ErrNotMultipart) {
			c.fail(w, r, nil, http.StatusBadRequest, "上传的表单无法读取,请返回页面重新上传。")
			return
		}
		c.post(h)(w, r)
	}
}

// formFile reads the uploaded file field name, which upload has already
// parsed within its limit. ok is false when no file was chosen.
func formFile(r *http.Request, name string) (data []byte, filename string, ok bool, err error) {
	f, hdr, err := r.FormFile(name)
	if errors.Is(err, http.ErrMissingFile) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, fmt.Errorf("read uploaded %s: %w", name, err)
	}
	defer f.Close()
	data, err = io.ReadAll(f)
	if err != nil {
		return nil, "", false, fmt.Errorf("read uploaded %s: %w", name, err)
	}
	return data, hdr.Filename, len(data) > 0, nil
}
