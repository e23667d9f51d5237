package io.segstream.core.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CityscapesIdsTest {
    @Test
    void everyConstantIsTheOfficialIdOfItsLabel() throws IllegalAccessException {
        LabelSet official = LabelSet.named("cityscapes-34");
        List<String> names = new ArrayList<>();
        for (Field f : CityscapesIds.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                String name = f.getName().toLowerCase().replace('_', ' ');
                assertEquals(official.byName(name).id(), f.getInt(null), f.getName());
                names.add(name);
            }
        }
        // every label with a non-negative id has its constant (license plate, id -1, has none)
        assertEquals(official.labels().stream().filter(l -> l.id() >= 0).count(), names.size());
    }
}
