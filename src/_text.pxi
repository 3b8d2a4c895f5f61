# Tokenising, counting and encoding text in C (included by _core.pyx).
#
# A file corpus is read as bytes: tokens are separated by ASCII whitespace
# (space, tab, CR, LF, VT, FF) and a line feed ends a sentence, exactly as
# Python's bytes.split() and bytes.split(b"\n") do. Words are looked up by
# their encoded bytes in an open-addressing hash table, with the GIL
# released, so no Python object is made per token.
#
# Speed matters here: the training producer splits and counts every token of
# every epoch and the workers encode every token. So:
# - Counting (count_tokens, split_text) tests every byte without a branch, in
#   fixed-size chunks that compilers vectorise under the default flags.
# - Encoding reads text 8 bytes at a time as one 64-bit number ("SWAR"):
#   whitespace is found with a few integer operations, 64 bytes at a time as
#   a bit mask, and each token's start and length come from those bits, so
#   that tokens do not wait for one another; a token is hashed a word at a
#   time, and one of up to 16 bytes is compared with two numbers kept in its
#   hash-table slot.
# Nothing reads outside the text, and the results do not depend on the
# machine's byte order.

cdef extern from *:
    """
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    #define CW2V_BIG_ENDIAN 1
    #else
    #define CW2V_BIG_ENDIAN 0
    #endif
    /* Index of the lowest set bit of x != 0: one instruction on every
       target (bsf on x86-64, rbit + clz on ARM); a de Bruijn multiply
       elsewhere. */
    #if defined(__GNUC__) || defined(__clang__)
    #define cw2v_lowest_bit(x) ((Py_ssize_t)__builtin_ctzll(x))
    #elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_ARM64))
    #include <intrin.h>
    static __inline Py_ssize_t cw2v_lowest_bit(unsigned __int64 x) {
        unsigned long index;
        _BitScanForward64(&index, x);
        return (Py_ssize_t)index;
    }
    #else
    static const unsigned char cw2v_de_bruijn[64] = {
        0, 1, 2, 53, 3, 7, 54, 27, 4, 38, 41, 8, 34, 55, 48, 28,
        62, 5, 39, 46, 44, 42, 22, 9, 24, 35, 59, 56, 49, 18, 29, 11,
        63, 52, 6, 26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
        51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12};
    #define cw2v_lowest_bit(x) ((Py_ssize_t)cw2v_de_bruijn[ \
        (((uint64_t)(x) & (0 - (uint64_t)(x))) * 0x022FDD63CC95386DULL) >> 58])
    #endif
    """
    const bint CW2V_BIG_ENDIAN
    Py_ssize_t lowest_bit "cw2v_lowest_bit"(uint64_t x) noexcept nogil


cdef enum:
    # Bytes per branch-free counting chunk: a token count that fits in one
    # byte (< 256) lets the compiler sum 16 (or 32) bytes per instruction.
    _SCAN_CHUNK = 128
    # Slot.length: keys of up to _SHORT_KEY bytes are kept in the slot.
    _SHORT_KEY = 16
    _LONG_KEY = 17
    _EMPTY_SLOT = 18


cdef inline unsigned char space_byte(unsigned char c) noexcept nogil:
    """1 if ``c`` is ASCII whitespace, else 0 (no branch, so it vectorises)."""
    return (c == 32) | (<unsigned char>(c - 9) < 5)


cdef inline bint is_space(unsigned char c) noexcept nogil:
    return space_byte(c)


# --------------------------------------------------------------------------
# Counting tokens: a token starts at a non-space byte that follows a space
# --------------------------------------------------------------------------

cdef inline unsigned int chunk_starts(const unsigned char *s) noexcept nogil:
    """Tokens starting in ``s[0:_SCAN_CHUNK]``; reads ``s[-1]`` too."""
    cdef unsigned char starts = 0
    cdef int k
    for k in range(_SCAN_CHUNK):
        starts += space_byte(s[k - 1]) & (space_byte(s[k]) ^ 1)
    return starts


cdef inline bint chunk_has_line_feed(const unsigned char *s) noexcept nogil:
    """Whether ``s[0:_SCAN_CHUNK]`` holds a line feed."""
    cdef unsigned char found = 0
    cdef int k
    for k in range(_SCAN_CHUNK):
        found |= s[k] == 10
    return found


cdef int64_t count_starts(const unsigned char *s, Py_ssize_t n) noexcept nogil:
    """Tokens in ``s[0:n]`` (``s[-1]`` is taken as whitespace)."""
    cdef int64_t tokens
    cdef Py_ssize_t i = 1
    if n <= 0:
        return 0
    tokens = space_byte(s[0]) ^ 1
    while i + _SCAN_CHUNK <= n:
        tokens += chunk_starts(s + i)
        i += _SCAN_CHUNK
    while i < n:
        tokens += space_byte(s[i - 1]) & (space_byte(s[i]) ^ 1)
        i += 1
    return tokens


# --------------------------------------------------------------------------
# 8 bytes at a time: whitespace bits, token ends, hashing
# --------------------------------------------------------------------------

cdef inline uint64_t load_word(const unsigned char *s) noexcept nogil:
    """The 8 bytes at ``s`` as a little-endian number (``s[0]`` lowest)."""
    cdef uint64_t w
    memcpy(&w, s, 8)
    if CW2V_BIG_ENDIAN:
        w = (((w >> 56) & 0xFF) | ((w >> 40) & 0xFF00) | ((w >> 24) & 0xFF0000)
             | ((w >> 8) & 0xFF000000ULL) | ((w & 0xFF000000ULL) << 8)
             | ((w & 0xFF0000) << 24) | ((w & 0xFF00) << 40) | (w << 56))
    return w


cdef inline uint64_t low_bits(Py_ssize_t k) noexcept nogil:
    """A mask of the ``k`` lowest bits, 0 <= k < 64."""
    return (<uint64_t>1 << k) - 1


cdef inline uint64_t low_bytes(Py_ssize_t k) noexcept nogil:
    """A mask of the ``k`` lowest bytes, 0 <= k <= 8 (two shifts: one by 64
    is undefined)."""
    return ((<uint64_t>1 << (4 * k)) << (4 * k)) - 1


cdef inline uint64_t load_prefix(
    const unsigned char *s, Py_ssize_t k, Py_ssize_t readable
) noexcept nogil:
    """``s[0:k]`` (k <= 8) zero-padded as a little-endian number, reading
    no byte at or after ``s[readable]``."""
    cdef uint64_t w = 0
    cdef Py_ssize_t j
    if readable >= 8:
        return load_word(s) & low_bytes(k)
    for j in range(k):
        w |= <uint64_t>s[j] << (8 * j)
    return w


cdef inline uint64_t space_mask(uint64_t w) noexcept nogil:
    """0x80 in each byte of ``w`` that is ASCII whitespace, 0 elsewhere.

    Exact per byte: the sums below stay within their byte (no carries)."""
    cdef uint64_t low = w & 0x7F7F7F7F7F7F7F7FULL            # the low 7 bits of each byte
    cdef uint64_t is_32 = ~((low ^ 0x2020202020202020ULL) + 0x7F7F7F7F7F7F7F7FULL)
    cdef uint64_t from_9 = low + 0x7777777777777777ULL       # 0x80 set where low >= 9
    cdef uint64_t from_14 = low + 0x7272727272727272ULL      # 0x80 set where low >= 14
    return (is_32 | (from_9 & ~from_14)) & ~w & 0x8080808080808080ULL


cdef inline uint64_t block_spaces(
    const unsigned char *s, Py_ssize_t start, Py_ssize_t n
) noexcept nogil:
    """Bit k set where ``s[start + k]`` is whitespace, for k < 64; bytes at or
    after ``s[n]`` count as whitespace."""
    cdef uint64_t spaces = 0
    cdef Py_ssize_t k
    if n - start >= 64:
        for k in range(0, 64, 8):
            # gather the 0x80 bits of the 8 bytes into 8 bits
            spaces |= (((space_mask(load_word(s + start + k)) >> 7)
                        * 0x0102040810204080ULL) >> 56) << k
    elif n > start:
        spaces = ~low_bits(n - start)
        for k in range(n - start):
            spaces |= <uint64_t>space_byte(s[start + k]) << k
    else:
        spaces = ~(<uint64_t>0)
    return spaces


cdef inline Py_ssize_t first_byte(uint64_t mask) noexcept nogil:
    """Index of the lowest byte whose 0x80 bit is set in ``mask`` (not 0)."""
    return lowest_bit(mask) >> 3


cdef inline Py_ssize_t token_end(const unsigned char *s, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    """The first whitespace byte at or after ``s[i]``, or ``n``."""
    cdef uint64_t spaces
    while i + 8 <= n:
        spaces = space_mask(load_word(s + i))
        if spaces:
            return i + first_byte(spaces)
        i += 8
    while i < n and not is_space(s[i]):
        i += 1
    return i


cdef struct Tokens:
    # The tokens of s[0:n] in order, found 64 bytes at a time: a block's
    # whitespace bytes are found as bits first, then each token's start and
    # length come from those bits, with no branch on the bytes and without
    # waiting for the previous token (the CPU works on several at once).
    const unsigned char *s
    Py_ssize_t n
    Py_ssize_t base         # the block: s[base:base + 64]
    uint64_t spaces         # its whitespace bits (bytes at or after s[n] count)
    uint64_t next_spaces    # the same for the block after it
    uint64_t starts         # the token starts in the block not yet taken


cdef inline void tokens_begin(Tokens *t, const unsigned char *s, Py_ssize_t n) noexcept nogil:
    t.s = s
    t.n = n
    t.base = -64
    t.spaces = ~(<uint64_t>0)   # the "block" before the text is whitespace
    t.next_spaces = block_spaces(s, 0, n)
    t.starts = 0


cdef inline Py_ssize_t tokens_next(Tokens *t, Py_ssize_t *length) noexcept nogil:
    """The start of the next token (its length in ``length``), or -1."""
    cdef Py_ssize_t at
    cdef uint64_t ahead
    while t.starts == 0:
        t.base += 64
        if t.base >= t.n:
            return -1
        # a token starts at a non-whitespace byte after a whitespace byte
        t.starts = ~t.next_spaces & ((t.next_spaces << 1) | (t.spaces >> 63))
        t.spaces = t.next_spaces
        t.next_spaces = block_spaces(t.s, t.base + 64, t.n)
    at = lowest_bit(t.starts)
    t.starts &= t.starts - 1
    # the whitespace bits of the 64 bytes from the token's start (two
    # shifts: one by 64 is undefined); none: a token of 64 bytes or more
    ahead = (t.spaces >> at) | ((t.next_spaces << 1) << (63 - at))
    if ahead:
        length[0] = lowest_bit(ahead)
    else:
        length[0] = token_end(t.s, t.base + at + 64, t.n) - (t.base + at)
    return t.base + at


cdef inline bint has_line_feed(const unsigned char *s, Py_ssize_t n) noexcept nogil:
    """Whether ``s[0:n]`` holds a line feed."""
    cdef Py_ssize_t k
    if n == 1:  # the gap between two tokens, mostly
        return s[0] == 10
    for k in range(n):
        if s[k] == 10:
            return True
    return False


cdef inline uint64_t final_mix(uint64_t h) noexcept nogil:
    """The last step of :func:`hash_bytes`. The table takes a key's place from
    the top bits of the hash, and those of a product depend on every bit of
    ``h`` (Fibonacci hashing); folding the high half in first spreads keys
    that differ only there (numbered words) as evenly as a full mixer does."""
    return (h ^ (h >> 32)) * 0x9E3779B97F4A7C15ULL


cdef inline uint64_t mix_word(uint64_t h, uint64_t w) noexcept nogil:
    """One step of :func:`hash_bytes`: add the next 8 bytes ``w`` to ``h``."""
    h = (h ^ w) * 0xFF51AFD7ED558CCDULL
    return h ^ (h >> 32)


cdef inline uint64_t short_hash(uint64_t first, uint64_t second, Py_ssize_t n) noexcept nogil:
    """:func:`hash_bytes` of a key of ``n <= 16`` bytes: ``first`` and
    ``second`` are its two halves as :func:`load_prefix` gives them."""
    cdef uint64_t h = <uint64_t>n * 0xC4CEB9FE1A85EC53ULL
    if n <= 8:
        return final_mix(h ^ first)
    return final_mix(mix_word(h, first) ^ second)


cdef inline uint64_t hash_bytes(
    const unsigned char *s, Py_ssize_t n, Py_ssize_t readable
) noexcept nogil:
    """A 64-bit hash of ``s[0:n]``, 8 bytes at a time, reading no byte at or
    after ``s[readable]`` (``readable >= n``). Not stored anywhere: it may
    change between versions."""
    cdef uint64_t h = <uint64_t>n * 0xC4CEB9FE1A85EC53ULL
    while n > 8:
        h = mix_word(h, load_word(s))
        s += 8
        n -= 8
        readable -= 8
    return final_mix(h ^ load_prefix(s, n, readable))


cdef inline uint64_t key_hash(
    const unsigned char *s, Py_ssize_t n, Py_ssize_t readable, uint64_t *first, uint64_t *second
) noexcept nogil:
    """:func:`hash_bytes` of ``s[0:n]``; for a key of up to 16 bytes, sets
    ``first`` and ``second`` to its halves (:func:`load_prefix`), else to 0."""
    if n <= _SHORT_KEY and readable >= 16:  # the common case, two loads at most
        first[0] = load_word(s) & low_bytes(n if n < 8 else 8)
        second[0] = load_word(s + 8) & low_bytes(n - 8) if n > 8 else 0
        return short_hash(first[0], second[0], n)
    first[0] = second[0] = 0
    if n <= _SHORT_KEY:
        first[0] = load_prefix(s, n if n < 8 else 8, readable)
        if n > 8:
            second[0] = load_prefix(s + 8, n - 8, readable - 8)
    return hash_bytes(s, n, readable)


# --------------------------------------------------------------------------
# The token table
# --------------------------------------------------------------------------

cdef struct Slot:
    # A key of up to _SHORT_KEY bytes is kept here as two numbers (its
    # halves, as load_prefix gives them), so that looking it up compares
    # numbers and touches no other memory; a longer key's bytes are in the
    # arena, at offset key[0], and key[1] is their length.
    uint64_t key[2]
    int64_t value
    uint32_t tag            # the high half of the key's hash
    uint32_t length         # of the key (<= _SHORT_KEY), or _LONG_KEY, _EMPTY_SLOT


cdef inline Slot *find_slot(
    Slot *slots, int bits, const unsigned char *arena,
    const unsigned char *key, Py_ssize_t n, uint64_t first, uint64_t second, uint64_t h
) noexcept nogil:
    """The slot of a table of ``2**bits`` slots holding the key of ``n`` bytes
    at ``key`` (read only if longer than _SHORT_KEY), with :func:`key_hash`
    ``h``, ``first`` and ``second``; else the empty slot where it would go."""
    cdef uint64_t mask = (<uint64_t>1 << bits) - 1
    cdef uint64_t j = h >> (64 - bits)
    cdef uint32_t tag = <uint32_t>(h >> 32)
    cdef Slot *slot
    if n <= _SHORT_KEY:
        while True:
            slot = &slots[j]
            # all four at once: one branch, no memory but the slot's
            if ((slot.tag ^ tag) | (slot.length ^ <uint32_t>n)
                    | (slot.key[0] ^ first) | (slot.key[1] ^ second)) == 0:
                return slot
            if slot.length == _EMPTY_SLOT:
                return slot
            j = (j + 1) & mask
    while True:
        slot = &slots[j]
        if slot.length == _EMPTY_SLOT:
            return slot
        if (slot.tag == tag and slot.length == _LONG_KEY and slot.key[1] == <uint64_t>n
                and memcmp(arena + slot.key[0], key, n) == 0):
            return slot
        j = (j + 1) & mask


cdef inline Py_ssize_t key_length(const Slot *slot) noexcept nogil:
    return slot.length if slot.length <= _SHORT_KEY else <Py_ssize_t>slot.key[1]


cdef inline uint64_t slot_hash(const Slot *slot, const unsigned char *arena) noexcept nogil:
    """The :func:`hash_bytes` of the key held in ``slot``."""
    if slot.length <= _SHORT_KEY:
        return short_hash(slot.key[0], slot.key[1], slot.length)
    return hash_bytes(arena + slot.key[0], slot.key[1], slot.key[1])


cdef void clear_slots(Slot *slots, int64_t n) noexcept nogil:
    cdef int64_t i
    for i in range(n):
        slots[i].length = _EMPTY_SLOT


cdef class TokenTable:
    """A hash table from byte strings to int64 values, used from C.

    It counts the tokens of text (:meth:`count`), or maps tokens to word ids
    (:meth:`encode`) once it holds the vocabulary (:meth:`from_words`).
    """

    cdef Slot *slots
    cdef int bits                   # the table has 2**bits slots
    cdef int64_t capacity
    cdef readonly int64_t size
    cdef unsigned char *arena
    cdef int64_t arena_used
    cdef int64_t arena_capacity

    def __cinit__(self, int64_t expected=1024):
        if expected < 0 or expected > (1 << 40):
            raise ValueError(f"expected must be between 0 and 2**40 entries, got {expected}")
        self.bits = 10
        while (<int64_t>1 << self.bits) < 2 * expected:
            self.bits += 1
        self.capacity = <int64_t>1 << self.bits
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
        cdef int64_t i, new_capacity = self.capacity * 2
        cdef uint64_t j, mask = <uint64_t>new_capacity - 1
        cdef int bits = self.bits + 1
        cdef Slot *fresh = <Slot *>malloc(new_capacity * sizeof(Slot))
        if fresh == NULL:
            return -1
        clear_slots(fresh, new_capacity)
        for i in range(self.capacity):
            if self.slots[i].length != _EMPTY_SLOT:
                j = slot_hash(&self.slots[i], self.arena) >> (64 - bits)
                while fresh[j].length != _EMPTY_SLOT:
                    j = (j + 1) & mask
                fresh[j] = self.slots[i]
        free(self.slots)
        self.slots = fresh
        self.capacity = new_capacity
        self.bits = bits
        return 0

    cdef Slot *_insert(
        self, Slot *slot, const unsigned char *key, Py_ssize_t n,
        uint64_t first, uint64_t second, uint64_t h
    ) noexcept nogil:
        """Put the key (as for :func:`find_slot`) with value 0 in ``slot``, the
        empty slot :func:`find_slot` gave; its slot then (it moves if the table
        grows), or NULL if memory ran out."""
        cdef unsigned char *grown
        if n <= _SHORT_KEY:
            slot.key[0] = first
            slot.key[1] = second
            slot.length = <uint32_t>n
        else:
            if self.arena_used + n > self.arena_capacity:
                while self.arena_used + n > self.arena_capacity:
                    self.arena_capacity *= 2
                grown = <unsigned char *>realloc(self.arena, self.arena_capacity)
                if grown == NULL:
                    return NULL
                self.arena = grown
            memcpy(self.arena + self.arena_used, key, n)
            slot.key[0] = <uint64_t>self.arena_used
            slot.key[1] = <uint64_t>n
            slot.length = _LONG_KEY
            self.arena_used += n
        slot.tag = <uint32_t>(h >> 32)
        slot.value = 0
        self.size += 1
        # Grown when 3/4 full (a table made for ``expected`` keys is at most
        # half full): counting touches half as much memory as at 1/2, and is
        # faster for it, while probes stay short with this hash.
        if 4 * self.size > 3 * self.capacity:
            if self._grow() != 0:
                return NULL
            return find_slot(self.slots, self.bits, self.arena, key, n, first, second, h)
        return slot

    cdef Slot *_find(
        self, const unsigned char *key, Py_ssize_t n, uint64_t first, uint64_t second,
        uint64_t h, bint insert
    ) noexcept nogil:
        """The slot holding the key (as for :func:`find_slot`); with ``insert``,
        a new slot (value 0) if absent. NULL if absent (or if memory ran out
        while inserting)."""
        cdef Slot *slot = find_slot(self.slots, self.bits, self.arena, key, n, first, second, h)
        if slot.length != _EMPTY_SLOT:
            return slot
        return self._insert(slot, key, n, first, second, h) if insert else NULL

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
        cdef uint64_t first, second, h
        for index, word in enumerate(words):
            key = word.encode(encoding, errors)
            h = key_hash(key, len(key), len(key), &first, &second)
            slot = table._find(key, len(key), first, second, h, True)
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
        cdef Py_ssize_t i, length, n = text.shape[0]
        cdef int64_t tokens = 0
        cdef uint64_t first, second, h
        cdef Slot *slot
        cdef Tokens walk
        cdef bint failed = False
        if n == 0:
            return 0
        with nogil:
            tokens_begin(&walk, &text[0], n)
            while True:
                i = tokens_next(&walk, &length)
                if i < 0:
                    break
                h = key_hash(&text[i], length, n - i, &first, &second)
                slot = find_slot(self.slots, self.bits, self.arena,
                                 &text[i], length, first, second, h)
                if slot.length == _EMPTY_SLOT:
                    slot = self._insert(slot, &text[i], length, first, second, h)
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
        cdef Py_ssize_t i, length, end = 0, count = 0, lines = 0
        cdef uint64_t first, second, h
        cdef Slot *slot
        cdef Slot *slots = self.slots      # (the table does not change here)
        cdef int bits = self.bits
        cdef const unsigned char *arena = self.arena
        cdef Tokens walk
        offsets[0] = 0
        if n == 0:
            return ids_array[:0], offsets_array[:1]
        with nogil:
            tokens_begin(&walk, &text[0], n)
            while True:
                i = tokens_next(&walk, &length)
                if i < 0:
                    break
                # a line feed since the previous token ends its line
                if count > offsets[lines] and has_line_feed(&text[end], i - end):
                    lines += 1
                    offsets[lines] = count
                end = i + length
                h = key_hash(&text[i], length, n - i, &first, &second)
                slot = find_slot(slots, bits, arena, &text[i], length, first, second, h)
                ids[count] = <int32_t>slot.value if slot.length != _EMPTY_SLOT else -1
                count += 1
            if count > offsets[lines]:
                lines += 1
                offsets[lines] = count
        return ids_array[:count], offsets_array[:lines + 1]

    cdef bytes _key(self, const Slot *slot):
        cdef unsigned char short_key[_SHORT_KEY]
        cdef Py_ssize_t start
        cdef int k
        if slot.length > _SHORT_KEY:
            start = <Py_ssize_t>slot.key[0]
            return (<char *>self.arena)[start:start + <Py_ssize_t>slot.key[1]]
        for k in range(_SHORT_KEY):
            short_key[k] = (slot.key[k >> 3] >> (8 * (k & 7))) & 0xFF
        return (<char *>short_key)[:slot.length]

    def prune(self, int64_t min_reduce):
        """Drop every entry whose value is <= ``min_reduce``."""
        cdef int64_t i
        cdef TokenTable kept = type(self)(self.size)
        cdef Slot *slot
        cdef Slot *old
        for i in range(self.capacity):
            old = &self.slots[i]
            if old.length != _EMPTY_SLOT and old.value > min_reduce:
                slot = kept._find(self.arena + old.key[0] if old.length == _LONG_KEY else NULL,
                                  key_length(old), old.key[0], old.key[1],
                                  slot_hash(old, self.arena), True)
                if slot == NULL:
                    raise MemoryError("cannot grow the token table")
                slot.value = old.value
        self.slots, kept.slots = kept.slots, self.slots
        self.bits, kept.bits = kept.bits, self.bits
        self.capacity, kept.capacity = kept.capacity, self.capacity
        self.arena, kept.arena = kept.arena, self.arena
        self.arena_used, kept.arena_used = kept.arena_used, self.arena_used
        self.arena_capacity, kept.arena_capacity = kept.arena_capacity, self.arena_capacity
        self.size, kept.size = kept.size, self.size

    def min_value(self):
        """The smallest value held (0 when empty)."""
        cdef int64_t i, smallest = -1
        for i in range(self.capacity):
            if self.slots[i].length != _EMPTY_SLOT:
                if smallest < 0 or self.slots[i].value < smallest:
                    smallest = self.slots[i].value
        return max(smallest, 0)

    def items(self, int64_t min_value=0):
        """Every (key bytes, value) pair with ``value >= min_value``, in no
        particular order."""
        cdef int64_t i
        result = []
        for i in range(self.capacity):
            if self.slots[i].length != _EMPTY_SLOT and self.slots[i].value >= min_value:
                result.append((self._key(&self.slots[i]), self.slots[i].value))
        return result

    def __len__(self):
        return self.size


# --------------------------------------------------------------------------
# Splitting and counting without a table
# --------------------------------------------------------------------------

cdef Py_ssize_t cut_piece(
    const unsigned char *s, Py_ssize_t i, Py_ssize_t n,
    int64_t piece_words, int64_t longest, int64_t *tokens_out
) noexcept nogil:
    """The end of the piece of :func:`split_text` that starts at ``s[i]``
    (a token boundary); its token count goes to ``tokens_out``.

    Whole chunks in which no cut can fall (too few tokens so far, or no line
    feed and too few for ``longest``) are only counted, without branches;
    the others are walked byte by byte."""
    cdef int64_t tokens = 0, starts
    cdef Py_ssize_t stop
    cdef bint in_token = False
    cdef unsigned char c
    while i < n:
        stop = n if n - i < _SCAN_CHUNK else i + _SCAN_CHUNK
        # chunk_starts reads s[i - 1]: at a piece's start that is a line feed,
        # or s[i] is whitespace (a cut after a token), so the count is right
        if i > 0 and stop == i + _SCAN_CHUNK:
            starts = chunk_starts(s + i)
            if (tokens + starts < piece_words
                    or (tokens + starts < longest and not chunk_has_line_feed(s + i))):
                tokens += starts
                i = stop
                in_token = not is_space(s[i - 1])
                continue
        while i < stop:
            c = s[i]
            i += 1
            if not is_space(c):
                if not in_token:
                    in_token = True
                    tokens += 1
            elif in_token and tokens >= longest:  # a line too long: cut after a token
                i -= 1
                tokens_out[0] = tokens
                return i
            else:
                in_token = False
                if c == 10 and tokens >= piece_words:
                    tokens_out[0] = tokens
                    return i
    tokens_out[0] = tokens
    return n


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
    cdef const unsigned char *s = &text[0] if n else NULL
    pieces = []
    while i < n:
        with nogil:
            i = cut_piece(s, i, n, piece_words, longest, &tokens)
        if tokens:
            pieces.append((start, i, tokens))
        start = i
    return pieces


def count_tokens(const unsigned char[::1] text):
    """The number of whitespace-separated tokens in ``text``."""
    cdef Py_ssize_t n = text.shape[0]
    cdef int64_t tokens
    cdef const unsigned char *s = &text[0] if n else NULL
    with nogil:
        tokens = count_starts(s, n)
    return tokens
