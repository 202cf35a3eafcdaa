/*
 * io_names.c — a model's inputs and outputs looked up by name, for callers
 * that know names (ONNX's) rather than positions; the session versions
 * answer for the session's model.
 */
#include <string.h>

#include "clinfer.h"
#include "error.h"
#include "model.h"
#include "session.h"

/* The index of `name` among the model's inputs (output 0) or outputs;
 * CLINFER_ERR_INVALID_ARGUMENT, with the names there are, when none has it. */
static clinfer_status find_io(const clinfer_model *m, int output, const char *name,
                              size_t *index)
{
    const char *what = output ? "output" : "input";
    if (!m || !name || !index)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "looking up an %s by name: %s is NULL",
                       what, !m ? "the model" : !name ? "the name" : "the index pointer");
    const size_t n = output ? clinfer_model_output_count(m) : clinfer_model_input_count(m);
    char names[CLINFER_ERRMSG_MAX / 2] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        const char *it = output ? clinfer_model_output_name(m, i) : clinfer_model_input_name(m, i);
        if (it && strcmp(it, name) == 0) {
            *index = i;
            return CLINFER_OK;
        }
        if (it && used < sizeof names) {
            int w = snprintf(names + used, sizeof names - used, "%s\"%s\"", i ? ", " : "", it);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    return err_set(m->rt, CLINFER_ERR_INVALID_ARGUMENT,
                   "the model has no %s named \"%s\"; its %ss: %s", what, name, what,
                   n ? names : "none");
}

clinfer_status clinfer_model_input_index(const clinfer_model *m, const char *name, size_t *index)
{
    return find_io(m, 0, name, index);
}

clinfer_status clinfer_model_output_index(const clinfer_model *m, const char *name, size_t *index)
{
    return find_io(m, 1, name, index);
}

static clinfer_status session_find(const clinfer_session *s, int output, const char *name,
                                   size_t *index)
{
    if (!s)
        return err_set(NULL, CLINFER_ERR_INVALID_ARGUMENT, "session is NULL");
    clinfer_status st = find_io(s->m, output, name, index);
    return st == CLINFER_OK ? st : session_fail((clinfer_session *)s, st);
}

clinfer_status clinfer_session_input_index(const clinfer_session *s, const char *name,
                                           size_t *index)
{
    return session_find(s, 0, name, index);
}

clinfer_status clinfer_session_output_index(const clinfer_session *s, const char *name,
                                            size_t *index)
{
    return session_find(s, 1, name, index);
}
