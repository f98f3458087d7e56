/* Carbon's hot key functions and the CoreFoundation ones shortcut_macos calls, with their C signatures
   (CarbonEvents.h, CFArray.h, CFNumber.h, MacTypes.h on LP64), built on Linux by
   tests/ui/test_global_shortcut_macos.py to check the ctypes declarations: values, structs by value,
   out-pointers, Boolean results and the handler's C calling convention. stub_send calls the installed
   handler from C as the Carbon event manager does. macOS's own shortcuts here: ⌥⌘Space on (Finder's
   search window), ⌃⌥F9 off. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t OSStatus;
typedef OSStatus (*EventHandlerUPP)(void *next, void *event, void *data);
typedef struct { uint32_t eventClass, eventKind; } EventTypeSpec;
typedef struct { uint32_t signature, id; } EventHotKeyID;
typedef struct { uint32_t kind; EventHotKeyID id; } Event;

static int target, handler_ref, hot_key_ref;
static EventHandlerUPP handler;
static EventTypeSpec kinds[2];
static EventHotKeyID registered_id;
static uint32_t registered[2];  /* key code, modifiers */

void *GetApplicationEventTarget(void) { return &target; }

OSStatus InstallEventHandler(void *to, EventHandlerUPP h, unsigned long n, const EventTypeSpec *k,
                             void *data, void **out) {
    if (to != &target || n != 2 || data) return -50;
    handler = h;
    memcpy(kinds, k, sizeof kinds);
    *out = &handler_ref;
    return 0;
}

OSStatus RemoveEventHandler(void *ref) {
    if (ref != &handler_ref) return -50;
    handler = 0;
    return 0;
}

OSStatus RegisterEventHotKey(uint32_t code, uint32_t modifiers, EventHotKeyID id, void *to,
                             uint32_t options, void **out) {
    if (to != &target || options) return -50;
    registered[0] = code;
    registered[1] = modifiers;
    registered_id = id;
    *out = &hot_key_ref;
    return 0;
}

OSStatus UnregisterEventHotKey(void *ref) {
    if (ref != &hot_key_ref) return -50;
    registered[0] = registered[1] = 0;
    return 0;
}

uint32_t GetEventKind(void *event) { return ((Event *)event)->kind; }

OSStatus GetEventParameter(void *event, uint32_t name, uint32_t type, void *actual_type,
                           unsigned long size, void *actual_size, void *out) {
    if (name != 0x2D2D2D2D || type != 0x686B6964 || size != sizeof(EventHotKeyID)) return -9870;
    memcpy(out, &((Event *)event)->id, size);
    return 0;
}

uint32_t stub_registered(int which) { return registered[which]; }
uint32_t stub_registered_id(int which) { return which ? registered_id.id : registered_id.signature; }
uint32_t stub_kind(int which) { return kinds[which].eventKind; }
uint32_t stub_class(int which) { return kinds[which].eventClass; }
int stub_handler_installed(void) { return handler != 0; }
OSStatus stub_send(uint32_t kind) {
    Event event = {kind, registered_id};
    return handler(0, &event, 0);
}

/* CoreFoundation's objects, tagged */
enum { ARRAY = 1, DICTIONARY, NUMBER, BOOLEAN, STRING };
typedef struct { int tag; long count; const void *items[2]; } Array;
typedef struct { int tag; const char *keys[3]; const void *values[3]; } Dictionary;
typedef struct { int tag; int64_t value; } Number;
typedef struct { int tag; unsigned char value; } Boolean;
typedef struct { int tag; char text[32]; } String;

static Number space = {NUMBER, 0x31}, f9 = {NUMBER, 0x65}, command_option = {NUMBER, 0x900},
              control_option = {NUMBER, 0x1800};
static Boolean on = {BOOLEAN, 1}, off = {BOOLEAN, 0};
static Dictionary finder_search = {DICTIONARY,
    {"kHISymbolicHotKeyCode", "kHISymbolicHotKeyModifiers", "kHISymbolicHotKeyEnabled"},
    {&space, &command_option, &on}};
static Dictionary turned_off = {DICTIONARY,
    {"kHISymbolicHotKeyCode", "kHISymbolicHotKeyModifiers", "kHISymbolicHotKeyEnabled"},
    {&f9, &control_option, &off}};
static Array system_shortcuts = {ARRAY, 2, {&finder_search, &turned_off}};
static int unreleased;

OSStatus CopySymbolicHotKeys(const void **out) {
    *out = &system_shortcuts;
    unreleased++;
    return 0;
}

long CFArrayGetCount(const void *array) {
    return ((const Array *)array)->tag == ARRAY ? ((const Array *)array)->count : -1;
}

const void *CFArrayGetValueAtIndex(const void *array, long index) {
    return ((const Array *)array)->items[index];
}

const void *CFDictionaryGetValue(const void *dictionary, const void *key) {
    const Dictionary *d = dictionary;
    for (int i = 0; i < 3; i++)
        if (d->tag == DICTIONARY && strcmp(d->keys[i], ((const String *)key)->text) == 0) return d->values[i];
    return 0;
}

unsigned char CFNumberGetValue(const void *number, long type, void *out) {
    if (((const Number *)number)->tag != NUMBER || type != 4) return 0; /* kCFNumberSInt64Type */
    *(int64_t *)out = ((const Number *)number)->value;
    return 1;
}

unsigned char CFBooleanGetValue(const void *boolean) {
    if (((const Boolean *)boolean)->tag != BOOLEAN) abort();
    return ((const Boolean *)boolean)->value;
}

const void *CFStringCreateWithCString(const void *allocator, const char *text, uint32_t encoding) {
    if (allocator || encoding != 0x08000100 || strlen(text) >= sizeof(((String *)0)->text)) return 0;
    String *string = calloc(1, sizeof *string);
    string->tag = STRING;
    strcpy(string->text, text);
    unreleased++;
    return string;
}

void CFRelease(const void *object) {
    unreleased--;
    if (((const String *)object)->tag == STRING) free((void *)object);
}

int stub_unreleased(void) { return unreleased; }
