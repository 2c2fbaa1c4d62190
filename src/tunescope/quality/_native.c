/* tunescope.quality._native: the two word scans the per-example checks run on every reply, in C.
 *
 * Why: splitting a reply into Python word strings (and word-bigram strings for MinHash) made up
 * about a third of the checker's per-example time. These functions walk the string's own buffer
 * once and never build a Python object per word. They are optional: setup.py builds this module
 * when a C compiler is there, and the callers fall back to their pure-Python code when it is not
 * (quality/similarity.py, checks/example/quality/repetition.py).
 *
 * shingle_hashes(text, max_words) -> bytes
 *     64-bit hashes (native-endian uint64) of the word bigrams of `text` (one hash per bigram; the
 *     single word's hash when there is one word; empty when none). Words are split at whitespace
 *     (str.split's definition) and at ASCII punctuation after str.lower(), exactly as
 *     similarity.normalise does; only the first `max_words` words count.
 *
 * loop_gate(text, edge_words, max_phrase_words, run_words) -> (n_words, repeated, may_loop)
 *     For repetition.repeated_phrase: the number of words of text.lower().split(), cut
 *     to the first and last `edge_words` when longer than twice that; how many of them repeat an
 *     earlier word (n_words - distinct); and whether `run_words` words in a row each equal one of
 *     the `max_phrase_words` words before it. Words are compared by 64-bit hash: a collision can
 *     only make `repeated` larger and `may_loop` true, so the caller, which confirms on real words,
 *     never misses a loop because of it.
 *
 * line_gates(data, markers) -> (secrets, at_sign, number)
 *     For sensitive.gates on a whole JSON line (bytes): whether any marker occurs, whether
 *     "@" does, and whether the regex \d[\d ().-]{8,}\d would match (a digit, then 8 or more
 *     digits, spaces, brackets, dots or dashes, then a digit): one pass instead of one scan per
 *     marker and a regex that tries every digit.
 */
#define PY_SSIZE_T_CLEAN
#define _GNU_SOURCE
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static unsigned char ascii_punct[128];

static inline uint64_t mix64(uint64_t z) {
    z ^= z >> 30;
    z *= 0xbf58476d1ce4e5b9ULL;
    z ^= z >> 27;
    z *= 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z;
}

static unsigned char latin1_lower[256];    /* str.lower() of each of the first 256 code points (one char each) */
static unsigned char latin1_sep[2][256];   /* [split at punctuation][c]: str.split whitespace, or ASCII punctuation */

/* Hashes of the words of `text` lower-cased as str.lower() does, at most `limit` of them (limit < 0:
   all). One-byte strings (ASCII, Latin-1: most text) are lowered and split inline from tables; wider
   ones are lowered by str.lower() first. The caller frees *out. */
static Py_ssize_t word_hashes(PyObject *text, int punct_splits, Py_ssize_t limit, uint64_t **out) {
    PyObject *lowered = NULL;
    if (PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND) {
        lowered = PyObject_CallMethod(text, "lower", NULL);
        if (lowered == NULL)
            return -1;
        text = lowered;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t cap = n / 2 + 1;
    if (limit >= 0 && cap > limit)
        cap = limit;
    uint64_t *words = (uint64_t *)malloc((size_t)(cap > 0 ? cap : 1) * sizeof(uint64_t));
    if (words == NULL) {
        Py_XDECREF(lowered);
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t count = 0;
    uint64_t h = FNV_OFFSET;
    int in_word = 0;
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *p = (const Py_UCS1 *)data;
        const unsigned char *sep = latin1_sep[punct_splits ? 1 : 0];
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS1 c = p[i];
            if (!sep[c]) {
                h = (h ^ (uint64_t)latin1_lower[c]) * FNV_PRIME;
                in_word = 1;
            } else if (in_word) {
                words[count++] = mix64(h);
                h = FNV_OFFSET;
                in_word = 0;
                if (count == cap)
                    break;
            }
        }
    } else {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            int sep = Py_UNICODE_ISSPACE(c) || (punct_splits && c < 128 && ascii_punct[c]);
            if (!sep) {
                h = (h ^ (uint64_t)c) * FNV_PRIME;
                in_word = 1;
            } else if (in_word) {
                words[count++] = mix64(h);
                h = FNV_OFFSET;
                in_word = 0;
                if (count == cap)
                    break;
            }
        }
    }
    if (in_word && count < cap)
        words[count++] = mix64(h);
    Py_XDECREF(lowered);
    *out = words;
    return count;
}

static PyObject *shingle_hashes(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t max_words;
    if (!PyArg_ParseTuple(args, "Un", &text, &max_words))
        return NULL;
    uint64_t *words = NULL;
    Py_ssize_t count = word_hashes(text, 1, max_words, &words);
    if (count < 0)
        return NULL;
    PyObject *result;
    if (count <= 1) {
        result = PyBytes_FromStringAndSize((const char *)words, count * (Py_ssize_t)sizeof(uint64_t));
    } else {
        for (Py_ssize_t i = 0; i + 1 < count; i++)   /* in place: word i becomes bigram (i, i + 1) */
            words[i] = mix64(words[i] * 0x9E3779B97F4A7C15ULL + (words[i + 1] ^ 0x632BE59BD9B4E019ULL));
        result = PyBytes_FromStringAndSize((const char *)words, (count - 1) * (Py_ssize_t)sizeof(uint64_t));
    }
    free(words);
    return result;
}

static Py_ssize_t count_distinct(const uint64_t *h, Py_ssize_t n) {
    size_t size = 16;
    while (size < (size_t)n * 2)
        size <<= 1;
    uint64_t *slots = (uint64_t *)calloc(size, sizeof(uint64_t));
    unsigned char *used = (unsigned char *)calloc(size, 1);
    if (slots == NULL || used == NULL) {
        free(slots);
        free(used);
        return -1;
    }
    Py_ssize_t distinct = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        size_t at = (size_t)h[i] & (size - 1);
        while (used[at] && slots[at] != h[i])
            at = (at + 1) & (size - 1);
        if (!used[at]) {
            used[at] = 1;
            slots[at] = h[i];
            distinct++;
        }
    }
    free(slots);
    free(used);
    return distinct;
}

static PyObject *loop_gate(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t edge, max_phrase, run_words;
    if (!PyArg_ParseTuple(args, "Unnn", &text, &edge, &max_phrase, &run_words))
        return NULL;
    uint64_t *words = NULL;
    Py_ssize_t n = word_hashes(text, 0, -1, &words);
    if (n < 0)
        return NULL;
    if (edge > 0 && n > 2 * edge) {       /* words[:edge] + words[-edge:], as the Python code cuts */
        memmove(words + edge, words + n - edge, (size_t)edge * sizeof(uint64_t));
        n = 2 * edge;
    }
    Py_ssize_t distinct = count_distinct(words, n);
    if (distinct < 0) {
        free(words);
        return PyErr_NoMemory();
    }
    int may_loop = 0;
    Py_ssize_t run = 0;
    for (Py_ssize_t k = 0; k < n && !may_loop; k++) {
        int near = 0;
        for (Py_ssize_t d = 1; d <= max_phrase && d <= k; d++) {
            if (words[k - d] == words[k]) {
                near = 1;
                break;
            }
        }
        run = near ? run + 1 : 0;
        if (run >= run_words)
            may_loop = 1;
    }
    free(words);
    return Py_BuildValue("nnO", n, n - distinct, may_loop ? Py_True : Py_False);
}

#define MAX_MARKERS 64
enum { STOP_DIGIT = 1, STOP_AT = 2, STOP_MARKER = 4 };
static unsigned char number_byte[256];   /* [0-9 ().-]: what the number regex's middle allows */

/* The tables of the last marker tuple seen (callers pass the same module-level tuple every time). */
static PyObject *gate_markers = NULL;
static unsigned char stop[256];
static unsigned char pairs[65536 / 8];
static const char *text[MAX_MARKERS];
static Py_ssize_t len[MAX_MARKERS];
static Py_ssize_t n_markers;

static int gate_tables(PyObject *markers) {
    if (markers == gate_markers)
        return 0;
    Py_ssize_t count = PyTuple_GET_SIZE(markers);
    if (count > MAX_MARKERS) {
        PyErr_SetString(PyExc_ValueError, "too many markers");
        return -1;
    }
    for (Py_ssize_t k = 0; k < count; k++)
        if (!PyBytes_Check(PyTuple_GET_ITEM(markers, k))) {
            PyErr_SetString(PyExc_TypeError, "markers must be bytes");
            return -1;
        }
    /* the bytes the scan stops at: digits, '@', and the first byte of a marker whose second byte
       follows (a 64K-bit table of the markers' first two bytes) */
    memset(pairs, 0, sizeof pairs);
    memset(stop, 0, sizeof stop);
    for (int c = '0'; c <= '9'; c++)
        stop[c] = STOP_DIGIT;
    stop['@'] |= STOP_AT;
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *m = PyTuple_GET_ITEM(markers, k);
        text[k] = PyBytes_AS_STRING(m);
        len[k] = PyBytes_GET_SIZE(m);
        if (len[k] >= 2) {
            unsigned char a = (unsigned char)text[k][0], b = (unsigned char)text[k][1];
            stop[a] |= STOP_MARKER;
            pairs[(a << 8 | b) >> 3] |= (unsigned char)(1 << (b & 7));
        }
    }
    n_markers = count;
    Py_INCREF(markers);           /* keeps the marker bytes the tables point into alive */
    Py_XDECREF(gate_markers);
    gate_markers = markers;
    return 0;
}

static PyObject *line_gates(PyObject *self, PyObject *args) {
    Py_buffer data;
    PyObject *markers;
    if (!PyArg_ParseTuple(args, "y*O!", &data, &PyTuple_Type, &markers))
        return NULL;
    if (gate_tables(markers) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    int secrets = 0;
    for (Py_ssize_t k = 0; k < n_markers; k++)    /* markers too short for the pair table: searched directly */
        if (len[k] < 2 && (len[k] == 0 || memchr(data.buf, text[k][0], (size_t)data.len) != NULL))
            secrets = 1;
    const unsigned char *buf = (const unsigned char *)data.buf;
    Py_ssize_t n = data.len;
    int at = 0, number = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = buf[i];
        unsigned char why = stop[c];
        if (!why)
            continue;
        if (why & STOP_AT)
            at = 1;
        if ((why & STOP_MARKER) && !secrets && i + 1 < n) {
            unsigned char b = buf[i + 1];
            if (pairs[(c << 8 | b) >> 3] & (1 << (b & 7))) {
                for (Py_ssize_t k = 0; k < n_markers; k++) {
                    if (len[k] >= 2 && len[k] <= n - i && memcmp(buf + i, text[k], (size_t)len[k]) == 0) {
                        secrets = 1;
                        break;
                    }
                }
            }
        }
        if ((why & STOP_DIGIT) && !number) {
            /* a run of [0-9 ().-] from this digit: a match needs a digit 9 or more bytes on */
            Py_ssize_t j = i, last = i;
            while (j < n && number_byte[buf[j]]) {
                if (buf[j] >= '0' && buf[j] <= '9')
                    last = j;
                j++;
            }
            if (last - i >= 9)
                number = 1;
            /* no marker or '@' lies inside the run ('-' starts "-----BEGIN": look at it again) */
            for (Py_ssize_t q = i + 1; q < j; q++)
                if (stop[buf[q]] & STOP_MARKER) {
                    j = q;
                    break;
                }
            i = j - 1;
        }
    }
    PyBuffer_Release(&data);
    return Py_BuildValue("OOO", secrets ? Py_True : Py_False, at ? Py_True : Py_False, number ? Py_True : Py_False);
}

static PyMethodDef methods[] = {
    {"shingle_hashes", shingle_hashes, METH_VARARGS,
     "shingle_hashes(text, max_words) -> bytes of uint64 word-bigram hashes (see the module source)."},
    {"loop_gate", loop_gate, METH_VARARGS,
     "loop_gate(text, edge_words, max_phrase_words, run_words) -> (n_words, repeated, may_loop)."},
    {"line_gates", line_gates, METH_VARARGS,
     "line_gates(data, markers) -> (secrets, at_sign, number) for a JSON line (see the module source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native",
                                    "C versions of the per-reply word scans (optional).", -1, methods};

PyMODINIT_FUNC PyInit__native(void) {
    const char *punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    memset(ascii_punct, 0, sizeof ascii_punct);
    for (const char *p = punct; *p; p++)
        ascii_punct[(unsigned char)*p] = 1;
    for (int c = 0; c < 256; c++) {
        PyObject *ch = PyUnicode_FromOrdinal(c);
        PyObject *low = ch ? PyObject_CallMethod(ch, "lower", NULL) : NULL;
        Py_XDECREF(ch);
        if (low == NULL || PyUnicode_GET_LENGTH(low) != 1 || PyUnicode_READ_CHAR(low, 0) > 255) {
            Py_XDECREF(low);
            PyErr_SetString(PyExc_RuntimeError, "_native: a Latin-1 character lowers to something wider");
            return NULL;
        }
        latin1_lower[c] = (unsigned char)PyUnicode_READ_CHAR(low, 0);
        Py_DECREF(low);
        latin1_sep[0][c] = (unsigned char)(Py_UNICODE_ISSPACE(c) ? 1 : 0);
        latin1_sep[1][c] = (unsigned char)(latin1_sep[0][c] || (c < 128 && ascii_punct[c]));
    }
    memset(number_byte, 0, sizeof number_byte);
    for (const char *p = "0123456789 ().-"; *p; p++)
        number_byte[(unsigned char)*p] = 1;
    return PyModule_Create(&module);
}
