/* Carbon's hot key functions with Carbon's C signatures (CarbonEvents.h, MacTypes.h on LP64), built on
   Linux by tests/ui/test_global_shortcut_macos.py to check shortcut_macos's ctypes declarations: values,
   structs by value, out-pointers and the handler's C calling convention. stub_send calls the installed
   handler from C as the Carbon event manager does. */
#include <stdint.h>
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
