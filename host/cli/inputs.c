/*
 * inputs.c — which model input each --input [NAME=]FILE feeds: a named
 * file its input, the others the model's inputs that no file names, in
 * order. For the commands that take files by position once the model is
 * loaded (bench).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "safe_text.h"

static int input_index(const clinfer_model *m, const char *name)
{
    for (size_t i = 0; i < clinfer_model_input_count(m); i++)
        if (strcmp(clinfer_model_input_name(m, i), name) == 0)
            return (int)i;
    return -1;
}

static void no_such_input(const char *cmd, const clinfer_model *m, const char *name)
{
    fprintf(stderr, "clinfer %s: the model has no input \"%s\"; its inputs are:", cmd,
            cli_safe(name));
    for (size_t i = 0; i < clinfer_model_input_count(m); i++)
        fprintf(stderr, " %s", cli_safe(clinfer_model_input_name(m, i)));
    fprintf(stderr, "\n");
}

int cli_input_order(const char *cmd, const clinfer_model *m, const char *const *names, int n,
                    int *index_of)
{
    const int count = (int)clinfer_model_input_count(m);
    for (int k = 0; k < n; k++) {
        index_of[k] = -1;
        if (!names[k])
            continue;
        if ((index_of[k] = input_index(m, names[k])) < 0) {
            no_such_input(cmd, m, names[k]);
            return 0;
        }
        for (int j = 0; j < k; j++)
            if (index_of[j] == index_of[k]) {
                fprintf(stderr, "clinfer %s: input \"%s\" is given twice\n", cmd,
                        cli_safe(names[k]));
                return 0;
            }
    }
    for (int k = 0, next = 0; k < n; k++) {
        if (names[k])
            continue;
        for (int taken = 1; taken && next < count; next += taken) {
            taken = 0;
            for (int j = 0; j < n && !taken; j++)
                taken = index_of[j] == next;
        }
        if (next == count) {
            fprintf(stderr, "clinfer %s: more input files than the model has inputs (%d)\n", cmd,
                    count);
            return 0;
        }
        index_of[k] = next++;
    }
    return 1;
}

int cli_input_sort(const char *cmd, const clinfer_model *m, const char *const *names,
                   clinfer_tensor *files, int n)
{
    int index_of[CLI_MAX_INPUTS];
    clinfer_tensor sorted[CLI_MAX_INPUTS];
    if (n > CLI_MAX_INPUTS) {
        fprintf(stderr, "clinfer %s: at most %d inputs\n", cmd, CLI_MAX_INPUTS);
        return 0;
    }
    if (!cli_input_order(cmd, m, names, n, index_of))
        return 0;
    int fed[CLI_MAX_INPUTS] = {0};
    for (int k = 0; k < n; k++)
        if (index_of[k] < n)
            fed[index_of[k]] = 1;
    for (int k = 0; k < n; k++) {
        if (index_of[k] < n)
            continue;
        int gap = 0;
        while (fed[gap])
            gap++;
        fprintf(stderr,
                "clinfer %s: an --input for \"%s\" but none for \"%s\": %s takes files for "
                "the first inputs and random values for the rest\n",
                cmd, cli_safe(clinfer_model_input_name(m, (size_t)index_of[k])),
                cli_safe(clinfer_model_input_name(m, (size_t)gap)), cmd);
        return 0;
    }
    for (int k = 0; k < n; k++)
        sorted[index_of[k]] = files[k];
    memcpy(files, sorted, (size_t)n * sizeof *files);
    return 1;
}
