/*
 * deadlines.c - a binary min-heap of deadlines: items[i]'s children are
 * items[2i + 1] and items[2i + 2], and none is earlier than its parent,
 * so the nearest deadline is items[0].  A push climbs from the bottom,
 * a pop sinks the last item from the top: each O(log n).
 */
#include "deadlines.h"

#include "fail.h"

#include <stdlib.h>
#include <time.h>

int64_t clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int earlier(const struct deadline *a, const struct deadline *b)
{
    return a->at < b->at || (a->at == b->at && a->order < b->order);
}

void deadline_push(struct deadline_heap *heap, int64_t at, struct task *t, int fd)
{
    if (heap->count == heap->capacity) {
        int size = heap->capacity < 64 ? 64 : heap->capacity * 2;
        struct deadline *grown = realloc(heap->items, sizeof *grown * (size_t)size);
        if (grown == NULL)
            fail("free some memory, or serve fewer clients at once",
                 "out of memory for the scheduler's deadlines (%d)", size);
        heap->items = grown;
        heap->capacity = size;
    }
    struct deadline item = { at, ++heap->pushed, t, fd };
    int i = heap->count++;
    while (i > 0 && earlier(&item, &heap->items[(i - 1) / 2])) {
        heap->items[i] = heap->items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap->items[i] = item;
}

const struct deadline *deadline_first(const struct deadline_heap *heap)
{
    return heap->count > 0 ? &heap->items[0] : NULL;
}

struct deadline deadline_pop(struct deadline_heap *heap)
{
    struct deadline top = heap->items[0], last = heap->items[--heap->count];
    int i = 0;
    for (;;) {
        int child = 2 * i + 1;
        if (child >= heap->count)
            break;
        if (child + 1 < heap->count && earlier(&heap->items[child + 1], &heap->items[child]))
            child++;
        if (!earlier(&heap->items[child], &last))
            break;
        heap->items[i] = heap->items[child];
        i = child;
    }
    if (heap->count > 0)
        heap->items[i] = last;
    return top;
}

void deadline_free(struct deadline_heap *heap)
{
    free(heap->items);
    heap->items = NULL;
    heap->count = heap->capacity = 0;
}
