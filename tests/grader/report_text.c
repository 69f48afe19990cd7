/*
 * report_text.c - short, readable text for failure messages.
 */
#include "report_text.h"
#include "messages.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char log_text[LOG_LIMIT + 8];

void log_add(const char *format, ...)
{
    size_t used = strlen(log_text);
    if (used >= 4 && strcmp(log_text + used - 4, " ...") == 0)
        return;
    char word[128];
    va_list args;
    va_start(args, format);
    vsnprintf(word, sizeof word, format, args);
    va_end(args);
    if (used + 1 + strlen(word) + 4 > LOG_LIMIT) {
        snprintf(log_text + used, sizeof log_text - used, " ...");
        return;
    }
    snprintf(log_text + used, sizeof log_text - used, "%s%s", used > 0 ? " " : "", word);
}

const char *shown_text(const char *text)
{
    static char cut[1024];
    if (text == NULL)
        return NULL;
    if (text[0] == '\0')
        return msg("report.nothing");
    if (strlen(text) < sizeof cut)
        return text;
    snprintf(cut, sizeof cut, "%.*s ...", (int)sizeof cut - 5, text);
    return cut;
}

const char *shown_bytes(const char *data, size_t length)
{
    static char buffers[2][512];
    static int which;
    char *out = buffers[which ^= 1];
    size_t used = 0;
    for (size_t i = 0; i < length && used + 8 < sizeof buffers[0]; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\n')
            used += (size_t)snprintf(out + used, 8, "\\n");
        else if (c < 32 || c >= 127 || c == '"' || c == '\\')
            used += (size_t)snprintf(out + used, 8, "\\x%02x", c);
        else
            out[used++] = (char)c;
    }
    if (length > 0 && used + 8 >= sizeof buffers[0])
        snprintf(out + used, 8, "...");
    else
        out[used] = '\0';
    return out;
}

const char *shown_quoted(const char *text)
{
    static char buffers[2][520];
    static int which;
    if (text[0] == '\0' || strcmp(text, msg("report.nothing")) == 0)
        return msg("report.nothing");
    char *out = buffers[which ^= 1];
    snprintf(out, sizeof buffers[0], "\"%s\"", shown_bytes(text, strlen(text)));
    return out;
}

const char *excerpt(const char *text)
{
    static char buffers[2][1100];
    static int which;
    char *out = buffers[which ^= 1];
    size_t keep = 0;
    int lines = 0;
    while (text[keep] != '\0' && keep < 1000 && lines < 8)
        lines += text[keep++] == '\n';
    if (text[keep] == '\0')
        return text;
    snprintf(out, sizeof buffers[0], "%.*s%s", (int)keep, text,
             msgf("report.more_bytes", strlen(text) - keep));
    return out;
}

int count_of(const char *haystack, const char *text)
{
    int count = 0;
    for (const char *p = haystack; (p = strstr(p, text)) != NULL; p += strlen(text))
        count++;
    return count;
}
