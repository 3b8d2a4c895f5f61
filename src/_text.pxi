# Tokenising, counting and encoding text in C (included by _core.pyx).
#
# A file corpus is read as bytes: tokens are separated by ASCII whitespace
# (space, tab, CR, LF, VT, FF) and a line feed ends a sentence, exactly as
# Python's bytes.split() and bytes.split(b"\n") do. Words are looked up by
# their encoded bytes in an open-addressing hash table, with the GIL
# released, so no Python object is made per token.

cdef inline bint is_space(unsigned char c) noexcept nogil:
    return c == 32 or (9 <= c <= 13)


cdef inline uint64_t hash_bytes(const unsigned char *s, Py_ssize_t n) noexcept nogil:
    """FNV-1a, 64 bit."""
    cdef uint64_t h = 0xCBF29CE484222325ULL
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ s[i]) * 0x100000001B3ULL
    return h


cdef struct Slot:
    uint64_t hash
    int64_t value
    int64_t key_start      # offset of the key's bytes in the arena; -1 for an empty slot
    int64_t key_length


cdef void clear_slots(Slot *slots, int64_t n) noexcept nogil:
    cdef int64_t i
    for i in range(n):
        slots[i].key_start = -1


cdef class TokenTable:
    """A hash table from byte strings to int64 values, used from C.

    It counts the tokens of text (:meth:`count`), or maps tokens to word ids
    (:meth:`encode`) once it holds the vocabulary (:meth:`from_words`).
    """

    cdef Slot *slots
    cdef int64_t capacity
    cdef readonly int64_t size
    cdef unsigned char *arena
    cdef int64_t arena_used
    cdef int64_t arena_capacity

    def __cinit__(self, int64_t expected=1024):
        if expected < 0 or expected > (1 << 40):
            raise ValueError(f"expected must be between 0 and 2**40 entries, got {expected}")
        self.capacity = 1024
        while self.capacity < 2 * expected:
            self.capacity *= 2
        self.slots = <Slot *>malloc(self.capacity * sizeof(Slot))
        self.arena_capacity = 1 << 16
        self.arena = <unsigned char *>malloc(self.arena_capacity)
        if self.slots == NULL or self.arena == NULL:
            raise MemoryError("cannot allocate the token table")
        clear_slots(self.slots, self.capacity)
        self.size = 0
        self.arena_used = 0

    def __dealloc__(self):
        free(self.slots)
        free(self.arena)

    cdef int _grow(self) noexcept nogil:
        cdef int64_t i, j, mask, new_capacity = self.capacity * 2
        cdef Slot *fresh = <Slot *>malloc(new_capacity * sizeof(Slot))
        if fresh == NULL:
            return -1
        clear_slots(fresh, new_capacity)
        mask = new_capacity - 1
        for i in range(self.capacity):
            if self.slots[i].key_start >= 0:
                j = <int64_t>(self.slots[i].hash & <uint64_t>mask)
                while fresh[j].key_start >= 0:
                    j = (j + 1) & mask
                fresh[j] = self.slots[i]
        free(self.slots)
        self.slots = fresh
        self.capacity = new_capacity
        return 0

    cdef Slot *_find(
        self, const unsigned char *key, int64_t n, uint64_t h, bint insert
    ) noexcept nogil:
        """The slot holding ``key``; with ``insert``, a new slot (value 0)
        if absent. NULL if absent (or if memory ran out while inserting)."""
        cdef int64_t mask = self.capacity - 1
        cdef int64_t j = <int64_t>(h & <uint64_t>mask)
        cdef Slot *slot
        cdef unsigned char *grown
        while True:
            slot = &self.slots[j]
            if slot.key_start < 0:
                break
            if (slot.hash == h and slot.key_length == n
                    and memcmp(self.arena + slot.key_start, key, n) == 0):
                return slot
            j = (j + 1) & mask
        if not insert:
            return NULL
        if self.arena_used + n > self.arena_capacity:
            while self.arena_used + n > self.arena_capacity:
                self.arena_capacity *= 2
            grown = <unsigned char *>realloc(self.arena, self.arena_capacity)
            if grown == NULL:
                return NULL
            self.arena = grown
        memcpy(self.arena + self.arena_used, key, n)
        slot.hash = h
        slot.value = 0
        slot.key_start = self.arena_used
        slot.key_length = n
        self.arena_used += n
        self.size += 1
        if 2 * self.size > self.capacity:
            if self._grow() != 0:
                return NULL
            return self._find(key, n, h, False)
        return slot

    @classmethod
    def from_words(cls, words, str encoding="utf-8", str errors="strict"):
        """A table mapping each word (encoded) to its index in ``words``.

        ``encoding`` and ``errors`` are those the corpus is decoded with, so
        that a word decoded with ``errors="surrogateescape"`` maps back to its
        original bytes.

        Raises
        ------
        ValueError
            If two words encode to the same bytes.
        """
        cdef TokenTable table = cls(len(words))
        cdef bytes key
        cdef Slot *slot
        cdef int64_t index
        for index, word in enumerate(words):
            key = word.encode(encoding, errors)
            slot = table._find(<const unsigned char *>key, len(key),
                               hash_bytes(<const unsigned char *>key, len(key)), True)
            if slot == NULL:
                raise MemoryError("cannot grow the token table")
            if table.size != index + 1:
                raise ValueError(f"the word {word!r} appears twice in the vocabulary")
            slot.value = index
        return table

    def count(self, const unsigned char[::1] text):
        """Add the tokens of ``text`` to the counts.

        Returns
        -------
        int
            The number of tokens in ``text``.
        """
        cdef Py_ssize_t i = 0, start, n = text.shape[0]
        cdef int64_t tokens = 0
        cdef Slot *slot
        cdef bint failed = False
        if n == 0:
            return 0
        with nogil:
            while i < n:
                while i < n and is_space(text[i]):
                    i += 1
                start = i
                while i < n and not is_space(text[i]):
                    i += 1
                if i > start:
                    slot = self._find(&text[start], i - start,
                                      hash_bytes(&text[start], i - start), True)
                    if slot == NULL:
                        failed = True
                        break
                    slot.value += 1
                    tokens += 1
        if failed:
            raise MemoryError("cannot grow the token table")
        return tokens

    def encode(self, const unsigned char[::1] text):
        """Word ids of the tokens of ``text``, and where its lines start.

        Unknown tokens become -1. Empty lines are skipped.

        Returns
        -------
        ids : int32 array
        offsets : int64 array
            Line ``s`` is ``ids[offsets[s]:offsets[s + 1]]``.
        """
        import numpy as np

        cdef Py_ssize_t n = text.shape[0]
        ids_array = np.empty(n // 2 + 1, dtype=np.int32)
        offsets_array = np.empty(n // 2 + 2, dtype=np.int64)
        cdef int32_t[::1] ids = ids_array
        cdef int64_t[::1] offsets = offsets_array
        cdef Py_ssize_t i = 0, start, count = 0, lines = 0
        cdef Slot *slot
        offsets[0] = 0
        with nogil:
            while i < n:
                while i < n and is_space(text[i]):
                    if text[i] == 10 and count > offsets[lines]:
                        lines += 1
                        offsets[lines] = count
                    i += 1
                start = i
                while i < n and not is_space(text[i]):
                    i += 1
                if i > start:
                    slot = self._find(&text[start], i - start,
                                      hash_bytes(&text[start], i - start), False)
                    ids[count] = <int32_t>slot.value if slot != NULL else -1
                    count += 1
            if count > offsets[lines]:
                lines += 1
                offsets[lines] = count
        return ids_array[:count], offsets_array[:lines + 1]

    def prune(self, int64_t min_reduce):
        """Drop every entry whose value is <= ``min_reduce``."""
        cdef int64_t i
        cdef TokenTable kept = type(self)(self.size)
        cdef Slot *slot
        for i in range(self.capacity):
            if self.slots[i].key_start >= 0 and self.slots[i].value > min_reduce:
                slot = kept._find(self.arena + self.slots[i].key_start,
                                  self.slots[i].key_length, self.slots[i].hash, True)
                if slot == NULL:
                    raise MemoryError("cannot grow the token table")
                slot.value = self.slots[i].value
        self.slots, kept.slots = kept.slots, self.slots
        self.capacity, kept.capacity = kept.capacity, self.capacity
        self.arena, kept.arena = kept.arena, self.arena
        self.arena_used, kept.arena_used = kept.arena_used, self.arena_used
        self.arena_capacity, kept.arena_capacity = kept.arena_capacity, self.arena_capacity
        self.size, kept.size = kept.size, self.size

    def min_value(self):
        """The smallest value held (0 when empty)."""
        cdef int64_t i, smallest = -1
        for i in range(self.capacity):
            if self.slots[i].key_start >= 0:
                if smallest < 0 or self.slots[i].value < smallest:
                    smallest = self.slots[i].value
        return max(smallest, 0)

    def items(self, int64_t min_value=0):
        """Every (key bytes, value) pair with ``value >= min_value``, in no
        particular order."""
        cdef int64_t i
        result = []
        for i in range(self.capacity):
            if self.slots[i].key_start >= 0 and self.slots[i].value >= min_value:
                result.append((
                    (<char *>self.arena)[
                        self.slots[i].key_start:
                        self.slots[i].key_start + self.slots[i].key_length
                    ],
                    self.slots[i].value,
                ))
        return result

    def __len__(self):
        return self.size


def split_text(const unsigned char[::1] text, int64_t piece_words):
    """Cut ``text`` into pieces of about ``piece_words`` tokens, in one pass.

    A piece ends at the first line break after its ``piece_words``-th token,
    or, in a line too long for that (text8-style text), right after its
    ``3 * piece_words // 2``-th token. Pieces without tokens are left out.

    Returns
    -------
    list of (int, int, int)
        ``(start, stop, tokens)`` for each piece: ``text[start:stop]`` holds
        ``tokens`` tokens.
    """
    if piece_words < 1:
        raise ValueError(f"piece_words must be >= 1, got {piece_words}")
    cdef Py_ssize_t i = 0, start = 0, n = text.shape[0]
    cdef int64_t tokens = 0, longest = piece_words + piece_words // 2
    pieces = []
    while i < n:
        with nogil:
            while i < n:
                if is_space(text[i]):
                    if text[i] == 10 and tokens >= piece_words:
                        i += 1
                        break
                    i += 1
                else:
                    while i < n and not is_space(text[i]):
                        i += 1
                    tokens += 1
                    if tokens >= longest:
                        break
        if tokens:
            pieces.append((start, i, tokens))
        start = i
        tokens = 0
    return pieces


def count_tokens(const unsigned char[::1] text):
    """The number of whitespace-separated tokens in ``text``."""
    cdef Py_ssize_t i, n = text.shape[0]
    cdef int64_t tokens = 0
    cdef bint in_token = False
    with nogil:
        for i in range(n):
            if is_space(text[i]):
                in_token = False
            elif not in_token:
                in_token = True
                tokens += 1
    return tokens
